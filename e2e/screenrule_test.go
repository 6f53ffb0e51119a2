package e2e

import (
	"strings"
	"testing"
	"time"
)

// A program without hooks asks a [y/N] question: the hub turns it into a
// prompt; answering it types the rule's keys.
func TestScreenRulePrompt(t *testing.T) {
	h := StartHub(t, t.TempDir(), "127.0.0.1:0")
	script := `printf 'Delete all build files? [y/N] '; read a; echo "answer=$a"; printf 'Again? [y/N] '; read b; echo "second=$b"; sleep 30`
	StartWrap(t, nil, "--hub", h.URL, "--name", "rulebox", "--", "bash", "-c", script)
	s := SessionFor(t, h.URL, "rulebox")
	p := waitPending(t, h.URL)
	if p.SessionID != s.ID || !strings.Contains(string(p.Input), "Delete all build files?") {
		t.Fatalf("prompt = %+v %s", p, p.Input)
	}
	if code, body := PostJSON(h.URL+"/api/v1/prompts/"+p.ID+"/decision", map[string]string{"decision": "allow"}); code != 200 {
		t.Fatalf("decision: %d %s", code, body)
	}
	WaitFor(t, 15*time.Second, "the program got y", func() bool {
		return strings.Contains(Get(h.URL+"/api/v1/sessions/"+s.ID+"/screen"), "answer=y")
	})
	// The second question is answered with keys typed through the hub (the
	// API's input, as the page's y/n key buttons do): its prompt closes as
	// answered by that person with keys, not "at the terminal" (issue 15, 9).
	var second apiPrompt
	WaitFor(t, 15*time.Second, "the second question's prompt", func() bool {
		for _, q := range prompts(h.URL, "?state=pending") {
			if q.ID != p.ID {
				second = q
				return true
			}
		}
		return false
	})
	if code, body := PostJSON(h.URL+"/api/v1/sessions/"+s.ID+"/input", map[string]string{"text": "n\r"}); code != 200 {
		t.Fatalf("input: %d %s", code, body)
	}
	waitPrompt(t, h.URL, second.ID, func(p apiPrompt) bool {
		return p.State == "closed" && strings.Contains(p.Outcome, "with keys typed from the hub") && !strings.Contains(p.Outcome, "terminal")
	})
	if code, _ := PostJSON(h.URL+"/api/v1/prompts/"+second.ID+"/decision", map[string]string{"decision": "allow"}); code != 409 {
		t.Fatalf("late answer to a screen prompt: %d, want 409", code)
	}
}
