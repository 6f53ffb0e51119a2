package geminitest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ct-dev/ct/claudetest"
)

// TestDialogAllowForSession checks what ct's hub "Allow for this session"
// relies on: the digit 2 at Gemini's shell dialog picks "Allow for this
// session", and a later command with the same program then runs without a
// dialog.
func TestDialogAllowForSession(t *testing.T) {
	bin := Binary(t)
	dir := t.TempDir()
	script := func(r Request) []Part {
		n := 0
		for _, c := range r.Contents {
			for _, p := range c.Parts {
				if len(p.FunctionResponse) > 0 {
					n++
				}
			}
		}
		switch n {
		case 0:
			return []Part{{FunctionCall: &FunctionCall{Name: "run_shell_command", Args: map[string]any{"command": "echo one > one.txt", "description": "first"}}}}
		case 1:
			return []Part{{FunctionCall: &FunctionCall{Name: "run_shell_command", Args: map[string]any{"command": "echo two > two.txt", "description": "second"}}}}
		}
		return []Part{{Text: "both done"}}
	}
	api := NewFakeAPI(t, script)
	home := Home(t)
	tm := claudetest.NewTmux(t, dir, Env(home, api.URL), bin)
	tm.WaitFor("Type your message", startup)
	tm.Type("run the commands")
	tm.WaitFor("> run the commands", 10*time.Second)
	tm.PressUntilGone("> run the commands", 20*time.Second, "Enter")
	tm.WaitFor("2. Allow for this session", startup)
	tm.PressUntilGone("2. Allow for this session", 10*time.Second, "2")
	scr := tm.WaitFor("both done", 30*time.Second)
	for _, f := range []string{"one.txt", "two.txt"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Fatalf("%s missing (%v):\n%s", f, err, scr)
		}
	}
	if strings.Contains(scr, "Allow once") {
		t.Fatalf("a second dialog:\n%s", scr)
	}
	t.Logf("after:\n%s", scr)
}
