package e2e

import (
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// Wrap is a running ct wrap.
type Wrap struct {
	Stdout *SafeBuffer
	Stderr *SafeBuffer
	Stdin  io.WriteCloser
	cmd    *exec.Cmd
	done   chan struct{}
	code   int
}

// StartWrap runs ct wrap with args (flags, then -- COMMAND...). Its stdin is
// a pipe the test may write to; the pipe stays open until Close or exit.
//
// When the --hub it names is a running test hub and no token is given, a
// machine token for its --name (default: this host's name) is made for it.
func StartWrap(t testing.TB, env []string, args ...string) *Wrap {
	t.Helper()
	cmd := exec.Command(Binary(t), append([]string{"wrap"}, args...)...)
	cmd.Env = append(os.Environ(), env...)
	if !hasEnv(env, "XDG_STATE_HOME") {
		// Tails a wrap keeps when the hub is down stay in the test's own dir.
		cmd.Env = append(cmd.Env, "XDG_STATE_HOME="+t.TempDir())
	}
	if tok := wrapToken(t, env, args); tok != "" {
		cmd.Env = append(cmd.Env, "CT_TOKEN="+tok)
	}
	w := &Wrap{Stdout: &SafeBuffer{}, Stderr: &SafeBuffer{}, cmd: cmd, done: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = w.Stdout, w.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	w.Stdin = in
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		err := cmd.Wait()
		w.code = cmd.ProcessState.ExitCode()
		if ee, ok := err.(*exec.ExitError); ok && ee.ExitCode() == -1 {
			w.code = -1
		}
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
	return w
}

func hasEnv(env []string, key string) bool {
	for _, e := range env {
		if strings.HasPrefix(e, key+"=") {
			return true
		}
	}
	return false
}

// wrapToken mints a machine token for a wrap started against a test hub.
func wrapToken(t testing.TB, env, args []string) string {
	for _, e := range env {
		if strings.HasPrefix(e, "CT_TOKEN=") {
			return ""
		}
	}
	var hubURL, name string
	for i := 0; i < len(args) && args[i] != "--"; i++ {
		switch args[i] {
		case "--token":
			return ""
		case "--hub":
			if i+1 < len(args) {
				hubURL = args[i+1]
			}
		case "--name":
			if i+1 < len(args) {
				name = args[i+1]
			}
		}
	}
	if hubURL == "" || tokenFor(hubURL) == "" {
		return ""
	}
	if resp, err := http.Get(hubURL + "/healthz"); err != nil {
		return "" // that hub is down now; the test gives a token itself if it needs one
	} else {
		resp.Body.Close()
	}
	if name == "" {
		name, _ = os.Hostname()
	}
	return MachineToken(t, hubURL, name)
}

// Wait waits for ct wrap to exit and returns its exit code.
func (w *Wrap) Wait(t testing.TB, timeout time.Duration) int {
	t.Helper()
	select {
	case <-w.done:
		return w.code
	case <-time.After(timeout):
		t.Fatalf("ct wrap did not exit within %s\nstdout:\n%s\nstderr:\n%s", timeout, w.Stdout.String(), w.Stderr.String())
		return -1
	}
}
