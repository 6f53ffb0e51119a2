package ptywrap

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/ct-dev/ct/wire"
)

// gitTimeout bounds each git command the hub asks for: a huge repository
// must not keep a process running on the workstation for long, and the hub
// waits only a little longer than both commands together.
const gitTimeout = 4 * time.Second

// gitArgs are the global options of every git the hub asks for: no pager,
// no optional locks (status must not rewrite the index: read-only), no
// fsmonitor hook, no colour, paths unquoted.
var gitArgs = []string{"--no-pager", "--no-optional-locks", "-c", "core.fsmonitor=false", "-c", "core.quotepath=off", "-c", "color.ui=false"}

// gitRequest answers a hub's git.request: git status and git diff of the
// session's directory, one request at a time (a second while one runs is
// answered busy, so the hub cannot pile up processes here). It runs in its
// own goroutine because git may take seconds and the read loop must not.
func (st *streamer) gitRequest(e wire.Envelope) {
	var req wire.GitRequest
	if e.Decode(&req) != nil || req.ID == "" {
		return
	}
	if !st.gitBusy.CompareAndSwap(false, true) {
		st.sendGit(wire.GitAnswer{ID: req.ID, Error: "a git request is already running on the workstation; try again in a moment"}, nil)
		return
	}
	st.mu.Lock()
	dir := st.start.Cwd
	st.mu.Unlock()
	go func() {
		defer st.gitBusy.Store(false)
		a, diff := runGit(dir, req.Max)
		a.ID = req.ID
		st.sendGit(a, diff)
	}()
}

func (st *streamer) sendGit(a wire.GitAnswer, diff []byte) {
	e, err := wire.New(wire.TypeGitAnswer, a)
	if err != nil {
		return
	}
	e.Data = diff
	st.sendUrgent(e)
}

// runGit runs `git status --porcelain` and `git diff HEAD` (or `git diff`
// in a repository without commits) in dir, never through a shell, each cut
// to its cap.
func runGit(dir string, max int) (wire.GitAnswer, []byte) {
	a := wire.GitAnswer{Dir: dir}
	if max <= 0 || max > wire.MaxGitOutput {
		max = wire.MaxGitOutput
	}
	status, _, _, err := gitOutput(dir, wire.MaxGitStatus, "status", "--porcelain=v1", "--branch")
	if err != nil {
		a.Error = err.Error()
		return a, nil
	}
	a.Status = status
	diff, total, cut, err := gitOutput(dir, max, "diff", "HEAD", "--no-color", "--no-ext-diff", "--no-textconv")
	if err != nil {
		diff, total, cut, err = gitOutput(dir, max, "diff", "--no-color", "--no-ext-diff", "--no-textconv")
	}
	if err != nil {
		a.Error = err.Error()
		return a, nil
	}
	a.Truncated, a.DiffBytes = cut, total
	return a, []byte(diff)
}

// gitOutput runs one git command in dir with the timeout; its output is cut
// at max on a line boundary (cut true, total what was read). Output past
// the cap is counted, not kept; a timeout after the cap still answers.
func gitOutput(dir string, max int, args ...string) (out string, total int64, cut bool, err error) {
	ctx, cancel := context.WithTimeout(context.Background(), gitTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "git", append(append(append([]string(nil), gitArgs...), "-C", dir), args...)...)
	cmd.Env = append(os.Environ(), "GIT_OPTIONAL_LOCKS=0", "GIT_TERMINAL_PROMPT=0", "GIT_PAGER=cat", "LC_ALL=C")
	stdout := &capWriter{max: max}
	var stderr capWriter
	stderr.max = 2048
	cmd.Stdout, cmd.Stderr = stdout, &stderr
	runErr := cmd.Run()
	cut = stdout.total > int64(max)
	switch {
	case runErr != nil && cut && errors.Is(ctx.Err(), context.DeadlineExceeded):
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		return "", 0, false, errors.New("git took longer than " + gitTimeout.String() + " on the workstation; the repository may be too big to ask from the hub")
	case runErr != nil:
		msg := strings.TrimSpace(stderr.buf.String())
		if msg == "" {
			msg = runErr.Error()
		}
		return "", 0, false, errors.New("git " + args[0] + " failed in " + dir + ": " + msg)
	}
	b := stdout.buf.Bytes()
	if cut {
		b = b[:bytes.LastIndexByte(b, '\n')+1]
	}
	return string(b), stdout.total, cut, nil
}

// capWriter keeps the first max bytes written and counts the rest.
type capWriter struct {
	buf   bytes.Buffer
	max   int
	total int64
}

func (w *capWriter) Write(p []byte) (int, error) {
	w.total += int64(len(p))
	if room := w.max - w.buf.Len(); room > 0 {
		w.buf.Write(p[:min(room, len(p))])
	}
	return len(p), nil
}
