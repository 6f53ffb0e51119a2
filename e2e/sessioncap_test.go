package e2e

import (
	"strings"
	"testing"
	"time"
)

// Issue 12 finding 11: past --max-sessions-per-machine a ct wrap is
// refused; it says why in one line and runs its program anyway, as with
// an unreachable hub.
func TestWrapPastSessionCap(t *testing.T) {
	h := StartHub(t, t.TempDir(), "127.0.0.1:0", "--max-sessions-per-machine", "1")
	first := StartWrap(t, nil, "--hub", h.URL, "--name", "capped", "--", "bash", "-c", `echo first-up; read x`)
	s := SessionFor(t, h.URL, "capped")
	waitStatus(t, h.URL, s.ID, "live")
	second := StartWrap(t, nil, "--hub", h.URL, "--name", "capped", "--", "bash", "-c", `echo second-ran; exit 4`)
	if code := second.Wait(t, 15*time.Second); code != 4 {
		t.Fatalf("the refused wrap exited %d, want its program's 4; stderr: %s", code, second.Stderr.String())
	}
	if !strings.Contains(second.Stdout.String(), "second-ran") {
		t.Fatalf("the refused wrap's program did not run: %q", second.Stdout.String())
	}
	if errs := second.Stderr.String(); !strings.Contains(errs, "already runs 1 sessions") || !strings.Contains(errs, "--max-sessions-per-machine") {
		t.Fatalf("the refused wrap does not say why: %q", errs)
	}
	if n := len(Sessions(h.URL)); n != 1 {
		t.Fatalf("%d sessions stored, want only the first", n)
	}
	_ = first // stopped at cleanup
}
