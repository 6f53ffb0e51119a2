package codexhook

import (
	"os"
	"strings"
	"testing"
)

// testdata/filechange-0.171.0.jsonl is the FileChange item Codex 0.171.0
// wrote for one apply_patch (run through exec_command against codextest's
// fake API) that updated, deleted and added a file: each becomes a
// tool_result whose Change is that file's unified diff.
func TestRolloutReadsAnApplyPatch(t *testing.T) {
	line, err := os.ReadFile("testdata/filechange-0.171.0.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	got := Rollout{}.Line([]byte(strings.TrimSpace(string(line))))
	want := []struct {
		path, diff     string
		added, removed int
	}{
		{"/work/proj/gone.txt", "--- /work/proj/gone.txt\n+++ /dev/null\n@@ -1 +0,0 @@\n-bye\n", 0, 1},
		{"/work/proj/greet.txt", "--- /work/proj/greet.txt\n+++ /work/proj/greet.txt\n@@ -1,3 +1,3 @@\n one\n-two\n+TWO\n three\n", 1, 1},
		{"/work/proj/sub/new.txt", "--- /dev/null\n+++ /work/proj/sub/new.txt\n@@ -0,0 +1 @@\n+fresh\n", 1, 0},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d entries, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		c := got[i].Change
		if c == nil || got[i].Tool != "apply_patch" || c.Path != w.path || c.Diff != w.diff || c.Added != w.added || c.Removed != w.removed {
			t.Errorf("entry %d = %+v change %+v, want %+v", i, got[i], c, w)
		}
	}
	if !strings.Contains(got[0].Text, "Success. Updated the following files") {
		t.Errorf("first entry's text = %q, want apply_patch's summary", got[0].Text)
	}
	failed := `{"type":"event_msg","payload":{"type":"item_completed","item":{"type":"FileChange","id":"x","status":"failed","changes":{"/a":{"type":"add","content":"x"}}}}}`
	if got := (Rollout{}).Line([]byte(failed)); got != nil {
		t.Errorf("a patch that did not apply gave %+v", got)
	}
}
