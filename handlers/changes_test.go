package handlers

import (
	"testing"

	"github.com/ct-dev/ct/hub"
	"github.com/ct-dev/ct/wire"
)

// Changes group by turn (newest first) and sum per file over the session;
// paths under the session's directory are relative to it.
func TestChangesModelByTurnAndFile(t *testing.T) {
	edit := func(path string, add, del int) txEntry {
		return txEntry{TranscriptEntry: wire.TranscriptEntry{Kind: wire.EntryToolResult, Tool: "Edit",
			Change: &wire.EntryChange{Path: path, Diff: "--- " + path + "\n+++ " + path + "\n@@ -1,1 +1,1 @@\n-a\n+b\n", Added: add, Removed: del}}}
	}
	entries := []txEntry{
		{TranscriptEntry: wire.TranscriptEntry{Kind: wire.EntryUser, Text: "first   prompt"}},
		edit("/w/a.go", 1, 1),
		{TranscriptEntry: wire.TranscriptEntry{Kind: wire.EntryToolResult, Tool: "Bash"}},
		{TranscriptEntry: wire.TranscriptEntry{Kind: wire.EntryUser, Text: "no edits in this turn"}},
		{TranscriptEntry: wire.TranscriptEntry{Kind: wire.EntryUser, Text: "second"}},
		edit("/w/a.go", 2, 0),
		edit("/elsewhere/b.go", 3, 1),
	}
	m := changesModel("s1", "/w", entries)
	if len(m.Turns) != 2 || m.Turns[0].Prompt != "second" || m.Turns[1].Prompt != "first prompt" || len(m.Turns[0].Diffs) != 2 {
		t.Fatalf("turns: %+v", m.Turns)
	}
	if d := m.Turns[1].Diffs[0]; d.Path != "a.go" || d.Label != "Edit" || len(d.Hunks) != 1 || d.Hunks[0].Lines[1].Line != 1 {
		t.Fatalf("first turn's diff: %+v", d)
	}
	if len(m.Files) != 2 || m.Files[0].Path != "a.go" || m.Files[0].Edits != 2 || m.Files[0].Added != 3 || m.Files[1].Path != "/elsewhere/b.go" {
		t.Fatalf("files: %+v", m.Files)
	}
}

// A cut git diff says its size and names the changed files it left out.
func TestGitModelCutNote(t *testing.T) {
	st := hub.GitState{GitAnswer: wire.GitAnswer{Status: "## main\n M a.go\n M z.go\n?? new.txt\n", Truncated: true, DiffBytes: 3 << 20},
		Diff: "diff --git a/a.go b/a.go\n--- a/a.go\n+++ b/a.go\n@@ -1 +1 @@\n-a\n+b\n"}
	v := gitModel(st)
	if v.Branch != "main" || len(v.Status) != 3 || len(v.Diffs) != 1 {
		t.Fatalf("view: %+v", v)
	}
	want := "The diff is 3 MB; only its first 65 bytes are shown. Run git diff on the workstation for the rest (the hub's --git-diff-max sets how much it asks for). Not shown: z.go."
	if v.Note != want {
		t.Fatalf("note:\n%s\nwant\n%s", v.Note, want)
	}
}
