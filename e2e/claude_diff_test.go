package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ct-dev/ct/claudetest"
)

// The hub shows the change Claude Code makes: Edit with replace_all changes
// every occurrence, Write onto an existing file overwrites it (Claude says
// "Overwrite file"); both compared with what Claude then writes.
func TestClaudeDiffIsTheChange(t *testing.T) {
	h := StartHub(t, t.TempDir(), "127.0.0.1:0")
	c := startClaude(t, h.URL)
	f := filepath.Join(c.project, "conf.txt")
	before := "x = 1\ny = 2\nx = 1\nz = 3\nx = 1\n"
	if err := os.WriteFile(f, []byte(before), 0o644); err != nil {
		t.Fatal(err)
	}
	const overwrite = "only this\n"
	c.api.SetScript(func(req *claudetest.MessagesRequest) claudetest.Reply {
		n := req.Turns()
		switch n {
		case 0: // Claude reads before it edits
			return claudetest.Reply{Tool: &claudetest.ToolUse{Name: "Read", Input: map[string]any{"file_path": f}}}
		case 1:
			return claudetest.Reply{Tool: &claudetest.ToolUse{Name: "Edit", Input: map[string]any{"file_path": f, "old_string": "x = 1", "new_string": "x = 9", "replace_all": true}}}
		case 2:
			return claudetest.Reply{Tool: &claudetest.ToolUse{Name: "Write", Input: map[string]any{"file_path": f, "content": overwrite}}}
		}
		return claudetest.TextReply(replyText)
	})
	c.ask()

	type diffPrompt struct {
		apiPrompt
		Change string `json:"change"`
		Diff   string `json:"diff"`
	}
	approve := func(tool string) diffPrompt {
		t.Helper()
		var p diffPrompt
		WaitFor(t, claudeWait, "a pending "+tool+" prompt", func() bool {
			var ps []diffPrompt
			if json.Unmarshal([]byte(Get(h.URL+"/api/v1/prompts?state=pending")), &ps) == nil {
				for _, q := range ps {
					if q.Tool == tool {
						p = q
						return true
					}
				}
			}
			return false
		})
		if code, body := PostJSON(h.URL+"/api/v1/prompts/"+p.ID+"/decision", map[string]string{"decision": "allow"}); code != 200 {
			t.Fatalf("approve %s: %d %s", tool, code, body)
		}
		return p
	}
	edit := approve("Edit")
	if edit.Change != "Edit file" || strings.Count(edit.Diff, "\n-x = 1") != 3 || strings.Count(edit.Diff, "\n+x = 9") != 3 {
		t.Fatalf("Edit replace_all: %q\n%s", edit.Change, edit.Diff)
	}
	WaitFor(t, claudeWait, "Claude's edit on disk", func() bool {
		b, _ := os.ReadFile(f)
		return string(b) == strings.ReplaceAll(before, "x = 1", "x = 9")
	})
	write := approve("Write")
	if write.Change != "Overwrite file" || strings.Count(write.Diff, "\n-") != 5 || !strings.Contains(write.Diff, "\n+only this") {
		t.Fatalf("Write onto an existing file: %q\n%s", write.Change, write.Diff)
	}
	WaitFor(t, claudeWait, "Claude's overwrite on disk", func() bool {
		b, _ := os.ReadFile(f)
		return string(b) == overwrite
	})
	c.term.WaitFor(replyText, claudeWait)
}
