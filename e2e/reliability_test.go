package e2e

import (
	"bytes"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The hub is SIGKILLed twice while a program streams ~2.75 MB and each time
// comes back on the same store and address: the wrap reconnects, resends
// what was not durable, and the hub's log equals the local terminal byte for
// byte, with no gap and no duplicate.
func TestHubKilledMidStream(t *testing.T) {
	const chunks, per = 125, 2000 // 250,000 lines, 2.75 MB on a terminal, ~5 s with tiny pauses
	want := numberedBytes(chunks, per)
	h := StartHub(t, t.TempDir(), "127.0.0.1:0")
	w := StartWrap(t, nil, "--hub", h.URL, "--name", "kill9", "--", "bash", "-c", numberedScript(chunks, per, "0.03"))
	s := SessionFor(t, h.URL, "kill9")
	began := time.Now()
	for _, at := range []int64{int64(len(want)) / 5, int64(len(want)) / 2} {
		// Killing as soon as the terminal shows a chunk, the hub has most
		// likely not made all of it durable: the wrap must resend some.
		WaitFor(t, 30*time.Second, "output shown before the kill", func() bool {
			return int64(len(w.Stdout.Bytes())) >= at
		})
		h.Kill()
		killed := time.Now()
		local := len(w.Stdout.Bytes())
		if local >= len(want) {
			t.Fatalf("the program had finished (%d bytes) before the hub was killed: the test proves nothing", local)
		}
		h = StartHub(t, h.Data, h.Addr)
		stored, _ := sessionByID(h.URL, s.ID) // most likely before the wrap is back
		waitStatus(t, h.URL, s.ID, "live")
		t.Logf("killed at %s with %d of %d bytes shown locally, %d on disk; wrap back %s later",
			killed.Sub(began).Round(time.Millisecond), local, len(want), stored.Bytes, time.Since(killed).Round(time.Millisecond))
	}
	if code := w.Wait(t, 40*time.Second); code != 0 {
		t.Fatalf("wrap exit code %d, want 0; stderr: %s", code, w.Stderr.String())
	}
	t.Logf("program done %s after it started", time.Since(began).Round(time.Millisecond))
	end := waitEnded(t, h.URL, s.ID, 0)
	got := []byte(Get(h.URL + "/api/v1/sessions/" + s.ID + "/log"))
	if !bytes.Equal(w.Stdout.Bytes(), want) {
		t.Fatalf("local output is not the program's output: %s", firstDiff(w.Stdout.Bytes(), want))
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("hub log differs from the local output: %s", firstDiff(got, want))
	}
	if end.Bytes != int64(len(want)) || end.Dropped != 0 {
		t.Fatalf("session counts %d bytes (%d dropped), want %d (0)", end.Bytes, end.Dropped, len(want))
	}
	if w.Stderr.String() != "" {
		t.Fatalf("wrap reported a problem: %q", w.Stderr.String())
	}
}

// A hub that appears after the wrap started gets the whole session,
// including what the program wrote while there was no hub.
func TestHubStartedAfterWrap(t *testing.T) {
	data, addr, tok := futureHub(t, "late")
	w := StartWrap(t, []string{"CT_TOKEN=" + tok}, "--hub", "http://"+addr, "--name", "late", "--",
		"bash", "-c", `echo before-hub; read x; echo "after:$x"; exit 0`)
	WaitFor(t, 10*time.Second, "wrap saying the hub is unreachable", func() bool {
		return strings.Contains(w.Stderr.String(), "unreachable")
	})
	waitStdout(t, w, "before-hub")
	h := StartHub(t, data, addr)
	s := SessionFor(t, h.URL, "late")
	waitLogContains(t, h.URL, s.ID, "before-hub")
	waitStatus(t, h.URL, s.ID, "live")
	postInput(t, h.URL, s.ID, "hub-is-here\r")
	if code := w.Wait(t, 15*time.Second); code != 0 {
		t.Fatalf("wrap exit code %d, want 0; stderr: %s", code, w.Stderr.String())
	}
	waitEnded(t, h.URL, s.ID, 0)
	log := Get(h.URL + "/api/v1/sessions/" + s.ID + "/log")
	if !strings.Contains(log, "after:hub-is-here") {
		t.Fatalf("input from the late hub did not reach the program: %q", log)
	}
	if log != w.Stdout.String() {
		t.Fatalf("hub log differs from the local output:\nhub:   %q\nlocal: %q", log, w.Stdout.String())
	}
	if n := strings.Count(w.Stderr.String(), "\n"); n != 1 {
		t.Fatalf("want only the unreachable notice on stderr, got %q", w.Stderr.String())
	}
}

// dropCheck asserts the accounting of a session whose spool overflowed: the
// hub's dropped_bytes is what the terminal showed minus what the hub holds,
// and both the session page and wrap's exit message say so.
func dropCheck(t *testing.T, h *Hub, w *Wrap, id string) []byte {
	t.Helper()
	s := waitEnded(t, h.URL, id, 0)
	local := w.Stdout.Bytes()
	log := []byte(Get(h.URL + "/api/v1/sessions/" + id + "/log"))
	if s.Dropped <= 0 {
		t.Fatalf("dropped_bytes %d, want > 0 (local %d bytes, hub %d)", s.Dropped, len(local), len(log))
	}
	if s.Dropped != int64(len(local)-len(log)) || s.Bytes != int64(len(log)) {
		t.Fatalf("dropped_bytes %d + output_bytes %d (log %d) != %d bytes shown locally", s.Dropped, s.Bytes, len(log), len(local))
	}
	if page := Get(h.URL + "/s/" + id); !strings.Contains(page, strconv.FormatInt(s.Dropped, 10)+" bytes of output were dropped") {
		t.Fatalf("session page does not report %d dropped bytes:\n%s", s.Dropped, page)
	}
	if msg := strconv.FormatInt(s.Dropped, 10) + " bytes of output were dropped"; !strings.Contains(w.Stderr.String(), msg) {
		t.Fatalf("wrap's stderr lacks %q: %q", msg, w.Stderr.String())
	}
	return log
}

// With a 64 KiB spool and no hub, 1 MB of output overflows: the oldest is
// dropped and accounted for exactly once the hub appears.
func TestSpoolOverflowWhileHubDown(t *testing.T) {
	data, addr, tok := futureHub(t, "spill")
	w := StartWrap(t, []string{"CT_TOKEN=" + tok}, "--hub", "http://"+addr, "--name", "spill", "--spool", "65536", "--",
		"bash", "-c", `seq -f 'D%08g' 1 100000; echo wrote-all; read x; exit 0`)
	waitStdout(t, w, "wrote-all")
	h := StartHub(t, data, addr)
	s := SessionFor(t, h.URL, "spill")
	waitLogContains(t, h.URL, s.ID, "wrote-all")
	waitStatus(t, h.URL, s.ID, "live")
	postInput(t, h.URL, s.ID, "\r")
	if code := w.Wait(t, 15*time.Second); code != 0 {
		t.Fatalf("wrap exit code %d, want 0; stderr: %s", code, w.Stderr.String())
	}
	log := dropCheck(t, h, w, s.ID)
	if !bytes.HasSuffix(w.Stdout.Bytes(), log) {
		t.Fatalf("hub log is not the tail of the local output: %s", firstDiff(log, w.Stdout.Bytes()[len(w.Stdout.Bytes())-len(log):]))
	}
}

// The hub is killed while output streams to it and stays away while the
// 64 KiB spool overflows: output in flight at the kill, which the hub may or
// may not have stored, is still counted exactly once.
func TestSpoolOverflowAfterHubKilled(t *testing.T) {
	h := StartHub(t, t.TempDir(), "127.0.0.1:0")
	w := StartWrap(t, nil, "--hub", h.URL, "--name", "spill2", "--spool", "65536", "--",
		"bash", "-c", numberedScript(30, 5000, "0.05")+`; echo wrote-all; read x; exit 0`)
	s := SessionFor(t, h.URL, "spill2")
	WaitFor(t, 20*time.Second, "300 KB stored before the kill", func() bool {
		x, ok := sessionByID(h.URL, s.ID)
		return ok && x.Bytes >= 300<<10
	})
	h.Kill()
	atKill := len(w.Stdout.Bytes())
	WaitFor(t, 20*time.Second, "256 KB more output while the hub is away", func() bool {
		return len(w.Stdout.Bytes()) >= atKill+256<<10
	})
	h2 := StartHub(t, h.Data, h.Addr)
	waitStdout(t, w, "wrote-all")
	waitLogContains(t, h2.URL, s.ID, "wrote-all")
	waitStatus(t, h2.URL, s.ID, "live")
	postInput(t, h2.URL, s.ID, "\r")
	if code := w.Wait(t, 15*time.Second); code != 0 {
		t.Fatalf("wrap exit code %d, want 0; stderr: %s", code, w.Stderr.String())
	}
	dropCheck(t, h2, w, s.ID)
}

// The program exits while its wrap waits out a reconnect backoff and the hub
// is already back: the wrap tries once more at once, so the hub gets the end
// of the session instead of showing it offline for ever.
func TestProgramExitsDuringReconnectBackoff(t *testing.T) {
	h := StartHub(t, t.TempDir(), "127.0.0.1:0")
	w := StartWrap(t, nil, "--hub", h.URL, "--name", "backoff", "--", "bash", "-c", `echo started; read x; echo "bye:$x"; exit 0`)
	s := SessionFor(t, h.URL, "backoff")
	waitLogContains(t, h.URL, s.ID, "started")
	h.Kill()
	// Stand in for the hub long enough to refuse the wrap's first retry, so
	// that its next one is a 2 s backoff away.
	ln, err := net.Listen("tcp", h.Addr)
	if err != nil {
		t.Fatal(err)
	}
	c, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	ln.Close()
	h = StartHub(t, h.Data, h.Addr)
	if _, err := w.Stdin.Write([]byte("now\n")); err != nil {
		t.Fatal(err)
	}
	if code := w.Wait(t, 15*time.Second); code != 0 {
		t.Fatalf("wrap exit code %d, want 0; stderr: %s", code, w.Stderr.String())
	}
	waitEnded(t, h.URL, s.ID, 0)
	if log := Get(h.URL + "/api/v1/sessions/" + s.ID + "/log"); log != w.Stdout.String() || !strings.Contains(log, "bye:now") {
		t.Fatalf("hub log %q, local %q", log, w.Stdout.String())
	}
	if w.Stderr.String() != "" {
		t.Fatalf("wrap reported a problem: %q", w.Stderr.String())
	}
}
