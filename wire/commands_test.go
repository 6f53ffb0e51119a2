package wire

import (
	"fmt"
	"strings"
	"testing"
)

// A session.start's commands are cut to what a hub shows: valid names
// only (no path, no slash, no spaces), each once, at most MaxCommands, and
// one-line descriptions of at most MaxCommandSummary bytes.
func TestCleanCommands(t *testing.T) {
	in := []SlashCommand{
		{Name: "shout", Description: "Shout\nthe   words"},
		{Name: "shout", Description: "a second copy"},
		{Name: "../etc/passwd"}, {Name: "a/b"}, {Name: "with space"}, {Name: ""},
		{Name: strings.Repeat("n", MaxCommandName+1)},
		{Name: "frontend:lint", Description: strings.Repeat("é", MaxCommandSummary)},
	}
	got := CleanCommands(in)
	if len(got) != 2 || got[0].Name != "shout" || got[0].Description != "Shout the words" || got[1].Name != "frontend:lint" {
		t.Fatalf("cleaned = %+v", got)
	}
	if d := got[1].Description; len(d) > MaxCommandSummary+len("…") || !strings.HasSuffix(d, "…") || !strings.HasPrefix(d, "é") {
		t.Errorf("long description kept as %d bytes: %q", len(d), d)
	}
	var many []SlashCommand
	for i := range MaxCommands + 50 {
		many = append(many, SlashCommand{Name: fmt.Sprintf("c%d", i)})
	}
	if n := len(CleanCommands(many)); n != MaxCommands {
		t.Errorf("%d commands kept, want %d", n, MaxCommands)
	}
}
