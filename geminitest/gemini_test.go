package geminitest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ct-dev/ct/claudetest"
)

// startup bounds the CLI's start: about 20 s on this machine.
const startup = 90 * time.Second

// TestDialogCapture runs the real CLI against the fake API to its shell
// dialog, checks the dialog the docs describe, answers it with Enter and
// sees the command run. With CT_CAPTURE_DIR set it writes the dialog's
// screen there (how hub/screenrule's testdata was made).
func TestDialogCapture(t *testing.T) {
	bin := Binary(t)
	dir := t.TempDir()
	api := NewFakeAPI(t, ShellThenText("echo gemini-ran > proof.txt", "all done"))
	home := Home(t)
	tm := claudetest.NewTmux(t, dir, Env(home, api.URL), bin)
	tm.WaitFor("Type your message", startup)
	tm.Type("run the command")
	tm.WaitFor("> run the command", 10*time.Second)
	// The CLI reads a fast Enter after typed text as part of a paste.
	tm.PressUntilGone("> run the command", 20*time.Second, "Enter")
	scr := tm.WaitFor("Allow once", startup)
	for _, want := range []string{"Allow execution of", "1. Allow once", "2. Allow for this session", "echo gemini-ran"} {
		if !strings.Contains(scr, want) {
			t.Errorf("dialog lacks %q:\n%s", want, scr)
		}
	}
	if out := os.Getenv("CT_CAPTURE_DIR"); out != "" {
		_ = os.WriteFile(filepath.Join(out, "gemini-dialog.txt"), []byte(scr+"\n"), 0o644)
	}
	tm.PressUntilGone("Allow once", 10*time.Second, "Enter")
	scr = tm.WaitFor("all done", 30*time.Second)
	if out := os.Getenv("CT_CAPTURE_DIR"); out != "" {
		_ = os.WriteFile(filepath.Join(out, "gemini-after.txt"), []byte(scr+"\n"), 0o644)
		// Gemini's own chat recording (the transcript ct follows).
		chats, _ := filepath.Glob(filepath.Join(home, ".gemini", "tmp", "*", "chats", "session-*"))
		for _, c := range chats {
			if b, err := os.ReadFile(c); err == nil {
				_ = os.WriteFile(filepath.Join(out, "gemini-"+filepath.Base(c)), b, 0o644)
			}
		}
	}
	if b, err := os.ReadFile(filepath.Join(dir, "proof.txt")); err != nil || !strings.Contains(string(b), "gemini-ran") {
		t.Fatalf("the command did not run (%v):\n%s", err, scr)
	}
}
