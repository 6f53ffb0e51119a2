package e2e

import (
	"strings"
	"testing"
	"time"
)

// A scripted program: output reaches the hub's screen and log, input sent
// through the hub reaches the program, and the exit status propagates.
func TestWrapStreamsAndTakesInput(t *testing.T) {
	h := StartHub(t, t.TempDir(), "127.0.0.1:0")
	script := `echo ready-$((6*7)); read line; echo "got:$line"; exit 7`
	w := StartWrap(t, nil, "--hub", h.URL, "--name", "box1", "--", "bash", "-c", script)
	s := SessionFor(t, h.URL, "box1")
	WaitFor(t, 10*time.Second, "ready on the hub screen", func() bool {
		return strings.Contains(Get(h.URL+"/api/v1/sessions/"+s.ID+"/screen"), "ready-42")
	})
	if code, body := PostJSON(h.URL+"/api/v1/sessions/"+s.ID+"/input", map[string]any{"text": "hello hub"}); code != 200 {
		t.Fatalf("input text: %d %s", code, body)
	}
	if code, body := PostJSON(h.URL+"/api/v1/sessions/"+s.ID+"/input", map[string]any{"keys": []string{"Enter"}}); code != 200 {
		t.Fatalf("input keys: %d %s", code, body)
	}
	if code := w.Wait(t, 15*time.Second); code != 7 {
		t.Fatalf("wrap exit code %d, want 7; stderr: %s", code, w.Stderr.String())
	}
	WaitFor(t, 10*time.Second, "session ended on the hub", func() bool {
		for _, x := range Sessions(h.URL) {
			if x.ID == s.ID && x.Status == "ended" && x.ExitCode != nil && *x.ExitCode == 7 {
				return true
			}
		}
		return false
	})
	log := Get(h.URL + "/api/v1/sessions/" + s.ID + "/log")
	if !strings.Contains(log, "got:hello hub") {
		t.Fatalf("log lacks the echoed input: %q", log)
	}
	if log != w.Stdout.String() {
		t.Fatalf("hub log differs from what the program wrote locally:\nhub:   %q\nlocal: %q", log, w.Stdout.String())
	}
}
