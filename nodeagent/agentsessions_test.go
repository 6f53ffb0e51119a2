package nodeagent

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A project folder's transcripts are listed newest first, each with its
// first real prompt (meta entries and system reminders skipped); files
// whose name is no plain id are left out.
func TestClaudeSessionsListsTranscripts(t *testing.T) {
	dir := t.TempDir()
	if got := claudeSlug("/home/me/src/app.v2"); got != "-home-me-src-app-v2" {
		t.Errorf("slug = %q", got)
	}
	write := func(name, body string, age time.Duration) {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		at := time.Now().Add(-age)
		_ = os.Chtimes(p, at, at)
	}
	write("11111111-aaaa.jsonl", `{"type":"summary"}
{"type":"user","isMeta":true,"message":{"content":"meta"}}
{"type":"user","message":{"content":[{"type":"text","text":"<system-reminder>x</system-reminder>"},{"type":"text","text":"Fix the login test"}]}}
`, time.Hour)
	write("22222222-bbbb.jsonl", `{"type":"user","message":{"content":"`+strings.Repeat("é", 150)+`"}}
`, time.Minute)
	write("--settings.jsonl", `{"type":"user","message":{"content":"evil"}}`, 0)
	write("notes.txt", "x", 0)
	got, err := claudeSessions(dir)
	if err != nil || len(got) != 2 {
		t.Fatalf("claudeSessions = %+v, %v; want the two transcripts", got, err)
	}
	if got[0].ID != "22222222-bbbb" || got[1].ID != "11111111-aaaa" || got[1].FirstPrompt != "Fix the login test" {
		t.Errorf("list = %+v", got)
	}
	if p := got[0].FirstPrompt; len(p) > 200+len("…") || !strings.HasSuffix(p, "…") {
		t.Errorf("a long first prompt is not cut to 200 bytes: %d %q", len(p), p)
	}
	if none, err := claudeSessions(filepath.Join(dir, "missing")); err != nil || len(none) != 0 {
		t.Errorf("a missing project folder: %v %v; want an empty list", none, err)
	}
}
