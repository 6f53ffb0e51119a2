package e2e

import (
	"testing"

	"github.com/ct-dev/ct/claudetest"
)

// Keys Claude Code's four-option dialog does not take (y, n, 9, Ctrl-C)
// leave the hub's prompt open, and a hub Approve still works. The Down
// arrow after them moves the dialog's pointer: once the screen shows it,
// the wrap has seen the keys before it (one input path, in order), so any
// settling they caused had happened before the Approve is sent.
func TestClaudeKeyTheDialogDoesNotTakeLeavesPromptOpen(t *testing.T) {
	h := StartHub(t, t.TempDir(), "127.0.0.1:0")
	c := startClaude(t, h.URL)
	c.ask()
	p := waitPending(t, h.URL)
	c.term.WaitFor("4. No", claudeWait)
	c.term.SendKeys("y", "n", "9", "C-c")
	c.term.PressUntilGone("❯ 1. Yes", claudeWait, "Down")
	if ps := prompts(h.URL, "?state=pending"); len(ps) != 1 || ps[0].ID != p.ID {
		t.Fatalf("pending prompts after y, n, 9, Ctrl-C: %+v; screen:\n%s", ps, c.term.Capture())
	}
	code, body := PostJSON(h.URL+"/api/v1/prompts/"+p.ID+"/decision", map[string]string{"decision": "allow"})
	if code != 200 {
		t.Fatalf("Approve after keys the dialog ignored: %d %s; screen:\n%s", code, body, c.term.Capture())
	}
	WaitFor(t, claudeWait, "proof.txt", c.proofExists)
	c.term.WaitFor(claudetest.HookAllowedText, claudeWait)
}
