package e2e

import (
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"
)

// wrap exits with the program's status, 128+signal when a signal killed it,
// and the hub records the same code.
func TestWrapExitStatus(t *testing.T) {
	h := StartHub(t, t.TempDir(), "127.0.0.1:0")
	cases := []struct {
		name, script string
		want         int
	}{
		{"exit42", `echo bye; exit 42`, 42},
		{"sigterm", `echo bye; kill -TERM $$`, 128 + 15},
		{"sigkill", `echo bye; kill -KILL $$`, 128 + 9},
		{"exit0", `echo bye`, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := StartWrap(t, nil, "--hub", h.URL, "--name", "exit-"+c.name, "--", "bash", "-c", c.script)
			if code := w.Wait(t, 15*time.Second); code != c.want {
				t.Fatalf("wrap exit code %d, want %d; stderr: %s", code, c.want, w.Stderr.String())
			}
			s := SessionFor(t, h.URL, "exit-"+c.name)
			waitEnded(t, h.URL, s.ID, c.want)
			if w.Stderr.String() != "" {
				t.Fatalf("wrap wrote to stderr with a working hub: %q", w.Stderr.String())
			}
		})
	}
}

// With no hub listening, the program runs anyway, wrap says so in one short
// line and exits with the program's status without waiting for the hub.
func TestWrapWithoutHub(t *testing.T) {
	addr := closedAddr(t)
	w := StartWrap(t, nil, "--hub", "http://"+addr, "--name", "nohub", "--", "bash", "-c", `echo local-only; exit 3`)
	if code := w.Wait(t, 15*time.Second); code != 3 {
		t.Fatalf("wrap exit code %d, want 3; stderr: %s", code, w.Stderr.String())
	}
	if !strings.Contains(w.Stdout.String(), "local-only") {
		t.Fatalf("program output missing locally: %q", w.Stdout.String())
	}
	lines := strings.Split(strings.TrimSpace(w.Stderr.String()), "\n")
	if len(lines) != 1 || !strings.Contains(lines[0], "unreachable") || !strings.Contains(lines[0], addr) {
		t.Fatalf("want one line on stderr saying the hub %s is unreachable, got %q", addr, w.Stderr.String())
	}
	if n := len(strings.TrimSpace(lines[0])); n > 160 {
		t.Fatalf("the unreachable notice is %d characters; keep it short: %q", n, lines[0])
	}
}

// A wrap killed with SIGKILL leaves its session offline, in the API and on
// the lobby page, with its output kept.
func TestWrapKilledShowsOffline(t *testing.T) {
	h := StartHub(t, t.TempDir(), "127.0.0.1:0")
	w := StartWrap(t, nil, "--hub", h.URL, "--name", "killed", "--", "bash", "-c", `echo up-and-running; read x`)
	s := SessionFor(t, h.URL, "killed")
	waitLogContains(t, h.URL, s.ID, "up-and-running")
	waitStatus(t, h.URL, s.ID, "live")
	w.signal(t, syscall.SIGKILL)
	w.Wait(t, 10*time.Second)
	waitStatus(t, h.URL, s.ID, "offline")
	WaitFor(t, 10*time.Second, "lobby showing the machine and session offline", func() bool {
		page := Get(h.URL + "/")
		return strings.Contains(page, `<span class="badge off">offline</span>`) &&
			!strings.Contains(page, `<span class="badge live">`)
	})
	page := Get(h.URL + "/s/" + s.ID)
	if !strings.Contains(page, "offline") || !strings.Contains(page, "not connected") {
		t.Fatalf("session page does not say offline:\n%s", page)
	}
	if log := Get(h.URL + "/api/v1/sessions/" + s.ID + "/log"); !strings.Contains(log, "up-and-running") {
		t.Fatalf("offline session lost its log: %q", log)
	}
}

// With stdin a pipe at EOF, the program keeps running and takes input from
// the hub; no end-of-file reaches it.
func TestWrapStdinEOF(t *testing.T) {
	h := StartHub(t, t.TempDir(), "127.0.0.1:0")
	w := StartWrap(t, nil, "--hub", h.URL, "--name", "eof", "--",
		"bash", "-c", `read a; echo "got1:$a"; read b; echo "got2:$b"; exit 5`)
	s := SessionFor(t, h.URL, "eof")
	if _, err := w.Stdin.Write([]byte("from-pipe\n")); err != nil {
		t.Fatal(err)
	}
	w.Stdin.Close()
	waitLogContains(t, h.URL, s.ID, "got1:from-pipe")
	waitStatus(t, h.URL, s.ID, "live")
	postInput(t, h.URL, s.ID, "from-hub\r")
	if code := w.Wait(t, 15*time.Second); code != 5 {
		t.Fatalf("wrap exit code %d, want 5; stdout %q; stderr: %s", code, w.Stdout.String(), w.Stderr.String())
	}
	waitEnded(t, h.URL, s.ID, 5)
	if log := Get(h.URL + "/api/v1/sessions/" + s.ID + "/log"); !strings.Contains(log, "got2:from-hub") {
		t.Fatalf("input from the hub did not reach the program after stdin EOF: %q", log)
	}
}

// In a real terminal: the program gets the terminal's size and keys, a
// resize reaches both the program and the hub, and after the program exits
// the terminal is restored before wrap's last words, which therefore end
// lines properly (no staircase).
func TestWrapInTerminal(t *testing.T) {
	h := StartHub(t, t.TempDir(), "127.0.0.1:0")
	script := `stty size; read a; echo "typed:$a"; stty size; read b; exit 4`
	tok := MachineToken(t, h.URL, "tty")
	w, ptmx, tty, modes := startWrapTTY(t, []string{"CT_TOKEN=" + tok}, 80, 24, "--hub", h.URL, "--name", "tty", "--", "bash", "-c", script)
	s := SessionFor(t, h.URL, "tty")
	waitLogContains(t, h.URL, s.ID, "24 80")
	if err := pty.Setsize(ptmx, &pty.Winsize{Cols: 100, Rows: 30}); err != nil {
		t.Fatal(err)
	}
	WaitFor(t, 10*time.Second, "the hub's screen resized to 100 columns", func() bool {
		return strings.Contains(Get(h.URL+"/s/"+s.ID), "--cols:100")
	})
	if _, err := ptmx.Write([]byte("local-key\r")); err != nil {
		t.Fatal(err)
	}
	waitLogContains(t, h.URL, s.ID, "typed:local-key")
	waitLogContains(t, h.URL, s.ID, "30 100")
	h.Kill()
	if _, err := ptmx.Write([]byte("\r")); err != nil {
		t.Fatal(err)
	}
	if code := w.Wait(t, 15*time.Second); code != 4 {
		t.Fatalf("wrap exit code %d, want 4; terminal:\n%q", code, w.Stdout.String())
	}
	var shown string
	WaitFor(t, 10*time.Second, "wrap's exit message on the terminal", func() bool {
		shown = w.Stdout.String()
		return strings.Contains(shown, "did not receive")
	})
	msg := shown[strings.LastIndex(shown, "ct: hub"):]
	t.Logf("exit message: %q", msg)
	if !strings.HasSuffix(msg, "\r\n") || strings.Count(msg, "\n") != 1 {
		t.Fatalf("exit message not written to a restored terminal: %q", msg)
	}
	if after := ttyModes(t, tty); after != modes {
		t.Fatalf("terminal modes not restored:\nbefore %s\nafter  %s", modes, after)
	}
}

// A wrap that stops answering without closing its socket (a laptop put to
// sleep; here SIGSTOP) shows offline within the hub's heartbeat, and when it
// wakes it reconnects and the session is whole again.
func TestWrapFrozenShowsOffline(t *testing.T) {
	h := StartHub(t, t.TempDir(), "127.0.0.1:0")
	w := StartWrap(t, nil, "--hub", h.URL, "--name", "frozen", "--", "bash", "-c", `echo awake; read x; echo "again:$x"; exit 0`)
	s := SessionFor(t, h.URL, "frozen")
	waitLogContains(t, h.URL, s.ID, "awake")
	waitStatus(t, h.URL, s.ID, "live")
	w.signal(t, sigStop)
	stopped := time.Now()
	WaitFor(t, 45*time.Second, "frozen wrap shown offline", func() bool {
		x, ok := sessionByID(h.URL, s.ID)
		return ok && x.Status == "offline"
	})
	t.Logf("offline %s after the wrap froze", time.Since(stopped).Round(time.Millisecond))
	w.signal(t, sigCont)
	thawed := time.Now()
	waitStatus(t, h.URL, s.ID, "live")
	t.Logf("live again %s after the wrap thawed", time.Since(thawed).Round(time.Millisecond))
	postInput(t, h.URL, s.ID, "thawed\r")
	if code := w.Wait(t, 15*time.Second); code != 0 {
		t.Fatalf("wrap exit code %d, want 0; stderr: %s", code, w.Stderr.String())
	}
	waitEnded(t, h.URL, s.ID, 0)
	if log := Get(h.URL + "/api/v1/sessions/" + s.ID + "/log"); log != w.Stdout.String() || !strings.Contains(log, "again:thawed") {
		t.Fatalf("hub log %q, local %q", log, w.Stdout.String())
	}
}
