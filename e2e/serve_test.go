package e2e

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// SIGTERM stops the hub cleanly while a wrap streams: it exits 0 with what
// it had received on disk, and after a restart on the same store the wrap
// resends the rest, so the log ends up equal to the local output.
func TestHubGracefulStopMidStream(t *testing.T) {
	const chunks, per = 40, 5000 // 2.2 MB on the terminal, ~4 s with pauses
	h := StartHub(t, t.TempDir(), "127.0.0.1:0")
	w := StartWrap(t, nil, "--hub", h.URL, "--name", "term", "--", "bash", "-c", numberedScript(chunks, per, "0.1"))
	s := SessionFor(t, h.URL, "term")
	var before int64
	WaitFor(t, 20*time.Second, "400 KB stored before the stop", func() bool {
		x, ok := sessionByID(h.URL, s.ID)
		before = x.Bytes
		return ok && x.Bytes >= 400<<10
	})
	stopping := time.Now()
	h.Stop(t)
	t.Logf("ct serve stopped %s after SIGTERM", time.Since(stopping).Round(time.Millisecond))
	if code := h.cmd.ProcessState.ExitCode(); code != 0 {
		t.Fatalf("ct serve exited %d on SIGTERM:\n%s", code, h.Stderr.String())
	}
	if !strings.Contains(h.Stderr.String(), "stopped") {
		t.Fatalf("ct serve did not report a clean stop:\n%s", h.Stderr.String())
	}
	h2 := StartHub(t, h.Data, h.Addr)
	if x, ok := sessionByID(h2.URL, s.ID); !ok || x.Bytes < before {
		t.Fatalf("after the restart the session holds %d bytes, fewer than the %d it had before the stop", x.Bytes, before)
	}
	waitStatus(t, h2.URL, s.ID, "live")
	t.Logf("wrap back %s after SIGTERM", time.Since(stopping).Round(time.Millisecond))
	if code := w.Wait(t, 40*time.Second); code != 0 {
		t.Fatalf("wrap exit code %d, want 0; stderr: %s", code, w.Stderr.String())
	}
	waitEnded(t, h2.URL, s.ID, 0)
	want := numberedBytes(chunks, per)
	if got := []byte(Get(h2.URL + "/api/v1/sessions/" + s.ID + "/log")); !bytes.Equal(got, want) || !bytes.Equal(w.Stdout.Bytes(), want) {
		t.Fatalf("hub log vs expected: %s; local vs expected: %s", firstDiff(got, want), firstDiff(w.Stdout.Bytes(), want))
	}
	if w.Stderr.String() != "" {
		t.Fatalf("wrap reported a problem: %q", w.Stderr.String())
	}
}
