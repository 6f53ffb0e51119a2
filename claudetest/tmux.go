package claudetest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// Terminal size every session gets, so screen assertions do not depend on the caller's terminal.
const (
	Cols = 120
	Rows = 40
)

// pollEvery is how often WaitFor captures the pane: tmux has no "screen changed" event to wait
// on, and 50 ms keeps the CPU cost of capture-pane low while adding little latency.
const pollEvery = 50 * time.Millisecond

// retryEvery spaces PressUntilGone's repeats: long enough for an accepted key to redraw the
// screen (about 0.1 s here), so a key is rarely sent twice.
const retryEvery = 300 * time.Millisecond

var sockets atomic.Int64

// Tmux is one command running in a detached tmux session on a private server.
type Tmux struct {
	t      testing.TB
	bin    string
	socket string
	path   string // the socket file, which tmux leaves behind after kill-server
	pid    int
}

// NewTmux runs argv in dir with exactly env (nothing inherited) in a fresh tmux server of its
// own, sized Cols x Rows. The server is killed when the test ends.
func NewTmux(t testing.TB, dir string, env []string, argv ...string) *Tmux {
	t.Helper()
	m := &Tmux{
		t:      t,
		bin:    requireTool(t, "tmux"),
		socket: fmt.Sprintf("claudetest-%d-%d", os.Getpid(), sockets.Add(1)),
	}
	// Our own config instead of the user's; remain-on-exit keeps the last screen readable
	// after the command exits, so a failure can still show it.
	conf := filepath.Join(t.TempDir(), "tmux.conf")
	if err := os.WriteFile(conf, []byte("set -g remain-on-exit on\nset -g history-limit 5000\n"), 0o600); err != nil {
		t.Fatalf("claudetest: %v", err)
	}
	// env -i makes the pane's environment exactly env, whatever the tmux server inherited.
	args := []string{"-f", conf, "new-session", "-d", "-s", "main",
		"-x", strconv.Itoa(Cols), "-y", strconv.Itoa(Rows), "-c", dir, "--", "env", "-i"}
	args = append(append(args, env...), argv...)
	if out, err := m.run(args...); err != nil {
		t.Fatalf("claudetest: tmux new-session: %v\n%s", err, out)
	}
	t.Cleanup(m.kill)
	out, err := m.run("display-message", "-p", "-t", "main", "#{pane_pid} #{socket_path}")
	if err != nil {
		t.Fatalf("claudetest: tmux display-message: %v\n%s", err, out)
	}
	pid, path, _ := strings.Cut(strings.TrimSpace(out), " ")
	m.pid, _ = strconv.Atoi(pid)
	m.path = path
	return m
}

// run calls tmux on this session's private socket; -u because the pane shows UTF-8 whatever
// the test's locale says.
func (m *Tmux) run(args ...string) (string, error) {
	cmd := exec.Command(m.bin, append([]string{"-u", "-L", m.socket}, args...)...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// SendKeys sends tmux key names ("Enter", "Escape", "C-c") or literal words as tmux reads them.
func (m *Tmux) SendKeys(keys ...string) {
	m.t.Helper()
	if out, err := m.run(append([]string{"send-keys", "-t", "main"}, keys...)...); err != nil {
		m.t.Fatalf("claudetest: tmux send-keys %q: %v\n%s", keys, err, out)
	}
}

// Type sends text literally, with no key-name interpretation.
func (m *Tmux) Type(text string) {
	m.t.Helper()
	if out, err := m.run("send-keys", "-t", "main", "-l", text); err != nil {
		m.t.Fatalf("claudetest: tmux send-keys -l: %v\n%s", err, out)
	}
}

// Capture returns the visible screen as text, trailing blanks trimmed from each line.
func (m *Tmux) Capture() string {
	m.t.Helper()
	out, err := m.run("capture-pane", "-p", "-t", "main")
	if err != nil {
		m.t.Fatalf("claudetest: tmux capture-pane: %v\n%s", err, out)
	}
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	return strings.Join(lines, "\n")
}

// WaitFor polls the screen until it contains substr and returns that screen; on timeout it
// fails the test, printing the last screen.
func (m *Tmux) WaitFor(substr string, timeout time.Duration) string {
	m.t.Helper()
	screen, ok := m.Poll(timeout, func(s string) bool { return strings.Contains(s, substr) })
	if !ok {
		m.t.Fatalf("claudetest: %q not on screen after %v; screen:\n%s", substr, timeout, screen)
	}
	return screen
}

// Poll captures the screen until done accepts it or timeout passes, returning the last capture
// and whether done accepted it.
func (m *Tmux) Poll(timeout time.Duration, done func(screen string) bool) (string, bool) {
	m.t.Helper()
	deadline := time.Now().Add(timeout)
	tick := time.NewTicker(pollEvery)
	defer tick.Stop()
	for {
		screen := m.Capture()
		if done(screen) {
			return screen, true
		}
		if time.Now().After(deadline) {
			return screen, false
		}
		<-tick.C
	}
}

// PressUntilGone sends keys, and again every retryEvery, until substr leaves the screen; on
// timeout it fails the test, printing the last screen. Claude Code 2.1.330's permission dialog
// drops keys that arrive in its first 0.1-0.2 s, and no screen change says when it starts
// listening, so the answer is repeated rather than sent once after a guessed sleep.
func (m *Tmux) PressUntilGone(substr string, timeout time.Duration, keys ...string) string {
	m.t.Helper()
	deadline := time.Now().Add(timeout)
	gone := func(s string) bool { return !strings.Contains(s, substr) }
	for {
		m.SendKeys(keys...)
		wait := min(retryEvery, time.Until(deadline))
		screen, ok := m.Poll(wait, gone)
		if ok {
			return screen
		}
		if time.Now().After(deadline) {
			m.t.Fatalf("claudetest: %q still on screen %v after sending %q; screen:\n%s",
				substr, timeout, keys, screen)
		}
	}
}

// kill ends the server, then waits for the pane's process to go, so that a test's TempDir
// cleanup does not race the CLI's last writes into HOME or the project.
func (m *Tmux) kill() {
	_, _ = m.run("kill-server")
	if m.path != "" {
		_ = os.Remove(m.path)
	}
	if m.pid <= 0 {
		return
	}
	// Claude Code exits within a second of SIGHUP here; 5 s bounds a stuck one.
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if !alive(m.pid) {
			return
		}
	}
	if p, err := os.FindProcess(m.pid); err == nil {
		_ = p.Kill()
	}
}

// alive reports whether pid still runs; a zombie no one has reaped yet counts as gone.
func alive(pid int) bool {
	if p, err := os.FindProcess(pid); err != nil || p.Signal(syscall.Signal(0)) != nil {
		return false
	}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	// The state follows the parenthesised command name: "pid (comm) S ...".
	if i := strings.LastIndexByte(string(stat), ')'); i >= 0 && i+2 < len(stat) {
		return stat[i+2] != 'Z'
	}
	return true
}
