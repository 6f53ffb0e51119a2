package e2e

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"
)

// Helpers for the reliability, wrap and serve tests. They add to harness.go
// without changing it.

// closedAddr returns a 127.0.0.1 address nothing listens on: a port the
// kernel just handed out and that was closed at once. A hub may later be
// started on it.
func closedAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// futureHub prepares a hub that is not running: a store holding a machine
// token for machine, and a free address. StartHub(t, data, addr) brings it
// up; a wrap given the token (CT_TOKEN) is accepted once it does.
func futureHub(t testing.TB, machine string) (data, addr, token string) {
	t.Helper()
	h := StartHub(t, t.TempDir(), "127.0.0.1:0")
	token = MachineToken(t, h.URL, machine)
	h.Stop(t)
	return h.Data, h.Addr, token
}

// sessionByID returns the hub's view of one session (false on any error).
func sessionByID(hubURL, id string) (APISession, bool) {
	for _, s := range Sessions(hubURL) {
		if s.ID == id {
			return s, true
		}
	}
	return APISession{}, false
}

// waitEnded waits until the session is ended with exit code want.
func waitEnded(t testing.TB, hubURL, id string, want int) APISession {
	t.Helper()
	var s APISession
	WaitFor(t, 15*time.Second, fmt.Sprintf("session %s ended with exit code %d", id, want), func() bool {
		var ok bool
		s, ok = sessionByID(hubURL, id)
		return ok && s.Status == "ended" && s.ExitCode != nil && *s.ExitCode == want
	})
	return s
}

// waitStatus waits until the session has status (live, offline, ended).
func waitStatus(t testing.TB, hubURL, id, status string) {
	t.Helper()
	WaitFor(t, 15*time.Second, "session "+id+" "+status, func() bool {
		s, ok := sessionByID(hubURL, id)
		return ok && s.Status == status
	})
}

// waitLogContains waits until the session's stored log holds want.
func waitLogContains(t testing.TB, hubURL, id, want string) {
	t.Helper()
	WaitFor(t, 15*time.Second, "log of "+id+" holding "+want, func() bool {
		return strings.Contains(Get(hubURL+"/api/v1/sessions/"+id+"/log"), want)
	})
}

// waitStdout waits until the wrap's local terminal shows want.
func waitStdout(t testing.TB, w *Wrap, want string) {
	t.Helper()
	WaitFor(t, 15*time.Second, "local output "+want, func() bool {
		return strings.Contains(w.Stdout.String(), want)
	})
}

// postInput sends text to a session through the JSON API and fails on
// refusal. A 409 (not connected) is retried for a while: the API shows a
// reconnecting session live a moment before its connection takes input.
func postInput(t testing.TB, hubURL, id, text string) {
	t.Helper()
	var code int
	var body string
	WaitFor(t, 10*time.Second, "input "+text+" accepted", func() bool {
		code, body = PostJSON(hubURL+"/api/v1/sessions/"+id+"/input", map[string]any{"text": text})
		return code != 409
	})
	if code != 200 {
		t.Fatalf("input %q: %d %s", text, code, body)
	}
}

// signal sends sig to the ct wrap process itself.
func (w *Wrap) signal(t testing.TB, sig syscall.Signal) {
	t.Helper()
	if err := w.cmd.Process.Signal(sig); err != nil {
		t.Fatalf("signal ct wrap: %v", err)
	}
}

// numberedScript is a bash program writing lines L00000001..L<chunks*per>,
// per lines at a time with a short pause between chunks, then exiting 0.
// seq's %g keeps 6 significant digits, so it stays exact below 1,000,000.
func numberedScript(chunks, per int, pause string) string {
	return fmt.Sprintf(`for c in $(seq 0 %d); do seq -f 'L%%08g' $((c*%d+1)) $((c*%d+%d)); sleep %s; done`,
		chunks-1, per, per, per, pause)
}

// numberedBytes is what numberedScript(chunks, per, _) shows on a terminal:
// the PTY turns each "\n" into "\r\n".
func numberedBytes(chunks, per int) []byte {
	var b bytes.Buffer
	for i := 1; i <= chunks*per; i++ {
		fmt.Fprintf(&b, "L%08d\r\n", i)
	}
	return b.Bytes()
}

// firstDiff describes where two byte strings part, for failure messages that
// must not print megabytes.
func firstDiff(got, want []byte) string {
	n := min(len(got), len(want))
	i := 0
	for i < n && got[i] == want[i] {
		i++
	}
	lo := max(0, i-40)
	return fmt.Sprintf("lengths %d vs %d, first difference at byte %d: %q vs %q",
		len(got), len(want), i, got[lo:min(len(got), i+40)], want[lo:min(len(want), i+40)])
}

// startWrapTTY runs ct wrap with a terminal as its stdin, stdout and stderr,
// as a person would: the test holds the terminal's master side (w.Stdin
// types into it; w.Stdout and w.Stderr both collect what it shows) and can
// resize it. It also returns the terminal's own side, to read its modes,
// and those modes before wrap started.
func startWrapTTY(t testing.TB, env []string, cols, rows int, args ...string) (w *Wrap, ptmx, tty *os.File, modes string) {
	t.Helper()
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ptmx.Close(); tty.Close() })
	if err := pty.Setsize(ptmx, &pty.Winsize{Cols: uint16(cols), Rows: uint16(rows)}); err != nil {
		t.Fatal(err)
	}
	modes = ttyModes(t, tty)
	cmd := exec.Command(Binary(t), append([]string{"wrap"}, args...)...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = tty, tty, tty
	// A session of its own with the terminal as controlling terminal, so a
	// resize sends it SIGWINCH as a shell's job would get.
	cmd.SysProcAttr = controllingTTY()
	screen := &SafeBuffer{}
	w = &Wrap{Stdout: screen, Stderr: screen, Stdin: ptmx, cmd: cmd, done: make(chan struct{})}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { _, _ = io.Copy(screen, ptmx) }() // ends with EIO once the terminal has no process
	go func() {
		_ = cmd.Wait()
		w.code = cmd.ProcessState.ExitCode()
		close(w.done)
	}()
	t.Cleanup(func() {
		select {
		case <-w.done:
		default:
			_ = cmd.Process.Kill()
			<-w.done
		}
	})
	return w, ptmx, tty, modes
}

// ttyModes is the terminal's settings as stty -g prints them.
func ttyModes(t testing.TB, tty *os.File) string {
	t.Helper()
	cmd := exec.Command("stty", "-g")
	cmd.Stdin = tty
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("stty -g: %v", err)
	}
	return strings.TrimSpace(string(out))
}
