package hub

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/ct-dev/ct/wire"
)

// gitWait bounds how long the hub waits for a wrap's git.answer: the wrap
// runs two git commands of at most 4 s each, plus the trip.
const gitWait = 10 * time.Second

// gitWaits pairs git.request ids with the one call waiting for each answer.
type gitWaits struct {
	mu  sync.Mutex
	chs map[string]chan GitState // cap 1: the read loop never blocks on it
}

// GitState is what a session's workstation says of its working tree: the
// answer's fields and the diff (which travelled as raw data).
type GitState struct {
	wire.GitAnswer
	Diff string
}

// ErrGitRequestRunning is returned while this session's working tree is
// already being asked (one request at a time per session).
var ErrGitRequestRunning = errors.New("the working tree of this session is already being read; wait for that answer")

// GitState asks the session's wrap for `git status` and `git diff` of its
// directory (read-only; at most max bytes of diff) and waits for the
// answer. ErrOffline when no wrap is connected.
func (h *Hub) GitState(ctx context.Context, sessionID string, max int) (GitState, error) {
	s, err := h.load(sessionID)
	if err != nil {
		return GitState{}, err
	}
	s.mu.Lock()
	c := s.conn
	s.mu.Unlock()
	if c == nil {
		return GitState{}, ErrOffline
	}
	id := newRef()
	ch := make(chan GitState, 1)
	c.git.mu.Lock()
	if len(c.git.chs) > 0 {
		c.git.mu.Unlock()
		return GitState{}, ErrGitRequestRunning
	}
	if c.git.chs == nil {
		c.git.chs = map[string]chan GitState{}
	}
	c.git.chs[id] = ch
	c.git.mu.Unlock()
	defer func() {
		c.git.mu.Lock()
		delete(c.git.chs, id)
		c.git.mu.Unlock()
	}()
	e, _ := wire.New(wire.TypeGitRequest, wire.GitRequest{ID: id, Max: max})
	e.SessionID = sessionID
	if err := c.send(e); err != nil {
		return GitState{}, err
	}
	select {
	case st := <-ch:
		return st, nil
	case <-time.After(gitWait):
		return GitState{}, fmt.Errorf("the workstation did not answer in %s; it may be busy, try again", gitWait)
	case <-ctx.Done():
		return GitState{}, ctx.Err()
	}
}

// gitAnswer hands a wrap's git.answer to the call waiting for it; an answer
// nobody waits for (late, or never asked) is dropped.
func (c *wrapConn) gitAnswer(e wire.Envelope) {
	var a wire.GitAnswer
	if e.Decode(&a) != nil || len(e.Data) > wire.MaxGitOutput || len(a.Status) > wire.MaxGitStatus {
		return
	}
	c.git.mu.Lock()
	ch, ok := c.git.chs[a.ID]
	delete(c.git.chs, a.ID)
	c.git.mu.Unlock()
	if ok {
		ch <- GitState{GitAnswer: a, Diff: string(e.Data)}
	}
}
