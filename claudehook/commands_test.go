package claudehook

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The project's and the person's command files are listed by name with
// their description (front matter, else the first line), the project's
// first and winning a clash, then the pinned version's built-ins; other
// files are ignored and nothing of a file but its name and description
// is kept.
func TestCommandsReadsCommandFiles(t *testing.T) {
	project, home := t.TempDir(), t.TempDir()
	write := func(dir, name, body string) {
		t.Helper()
		d := filepath.Join(dir, ".claude", "commands")
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(d, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(project, "deploy.md", "---\nallowed-tools: Bash\ndescription: \"Ship it to staging\"\n---\nSECRET-BODY run the deploy\n")
	write(project, "notes.txt", "not a command")
	write(home, "deploy.md", "---\ndescription: the person's own deploy\n---\nbody\n")
	write(home, "tidy.md", "\n# Tidy the imports\nSECRET-BODY more\n")
	got := Commands(project, home)
	if len(got) < 3 {
		t.Fatalf("commands = %+v", got)
	}
	want := []struct{ name, desc string }{{"deploy", "Ship it to staging"}, {"tidy", "Tidy the imports"}}
	for i, w := range want {
		if got[i].Name != w.name || got[i].Description != w.desc || !got[i].Custom {
			t.Errorf("command %d = %+v, want %+v", i, got[i], w)
		}
	}
	names := map[string]int{}
	for _, c := range got {
		names[c.Name]++
		if strings.Contains(c.Description, "SECRET-BODY") || strings.Contains(c.Name, "/") {
			t.Errorf("a command carries more than its name and description: %+v", c)
		}
	}
	if names["deploy"] != 1 || names["notes"] != 0 || names["compact"] != 1 || names["clear"] != 1 {
		t.Errorf("names = %v", names)
	}
	if got := Commands(filepath.Join(project, "missing"), ""); len(got) != len(builtinCommands) {
		t.Errorf("without command files: %d commands, want the %d built-ins", len(got), len(builtinCommands))
	}
}
