package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Issue 13, finding 3: a program that exits while the hub is down used to
// lose its unacknowledged output and its exit status (the wrap tried once
// and gave up; the session stayed offline for ever). Now the wrap still
// exits at once with the program's status, keeps the tail in a 0600 file in
// the state directory, and a detached ct flush delivers it when the hub is
// back: the stored log is byte for byte what the program wrote, and the
// session ends with its exit code.
func TestProgramExitsWhileHubDownKeepsItsTail(t *testing.T) {
	state := t.TempDir()
	h := StartHub(t, t.TempDir(), "127.0.0.1:0")
	w := StartWrap(t, []string{"XDG_STATE_HOME=" + state}, "--hub", h.URL, "--name", "tail", "--",
		"bash", "-c", `echo started; read x; seq 1 40000; echo "bye:$x"; exit 7`)
	s := SessionFor(t, h.URL, "tail")
	waitLogContains(t, h.URL, s.ID, "started")
	h.Kill()
	if _, err := w.Stdin.Write([]byte("now\n")); err != nil {
		t.Fatal(err)
	}
	if code := w.Wait(t, 30*time.Second); code != 7 {
		t.Fatalf("wrap exit code %d, want the program's 7; stderr: %s", code, w.Stderr.String())
	}
	if !strings.Contains(w.Stderr.String(), "sent when the hub is back") {
		t.Fatalf("wrap did not say the tail is kept: %q", w.Stderr.String())
	}
	tails, _ := filepath.Glob(filepath.Join(state, "ct", "pending", "*.tail"))
	if len(tails) != 1 {
		t.Fatalf("tails kept: %v, want one", tails)
	}
	if fi, err := os.Stat(tails[0]); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("tail file mode: %v %v, want 0600", fi.Mode(), err)
	}
	h = StartHub(t, h.Data, h.Addr)
	waitEnded(t, h.URL, s.ID, 7)
	if log := Get(h.URL + "/api/v1/sessions/" + s.ID + "/log"); log != w.Stdout.String() || !strings.Contains(log, "bye:now") {
		t.Fatalf("hub log (%d bytes) differs from what the program wrote (%d bytes)", len(log), len(w.Stdout.String()))
	}
	WaitFor(t, 15*time.Second, "the delivered tail removed", func() bool {
		left, _ := filepath.Glob(filepath.Join(state, "ct", "pending", "*.tail"))
		return len(left) == 0
	})
}
