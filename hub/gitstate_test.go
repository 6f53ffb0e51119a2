package hub

import (
	"context"
	"errors"
	"testing"

	"github.com/ct-dev/ct/wire"
)

// The hub asks the wrap with the cap, takes the diff from the answer's raw
// data, refuses a second ask while one waits, ignores answers nobody asked
// for, and says offline when no wrap is connected.
func TestGitStateAsksTheWrap(t *testing.T) {
	th := newTestHub(t)
	tr, done, _ := th.connect(t, "sess-git")
	type result struct {
		st  GitState
		err error
	}
	res := make(chan result, 1)
	go func() {
		st, err := th.GitState(context.Background(), "sess-git", 1234)
		res <- result{st, err}
	}()
	var req wire.GitRequest
	if e := tr.recv(t, wire.TypeGitRequest); e.Decode(&req) != nil || req.Max != 1234 || req.ID == "" {
		t.Fatalf("git.request %+v", req)
	}
	if _, err := th.GitState(context.Background(), "sess-git", 1234); !errors.Is(err, ErrGitRequestRunning) {
		t.Fatalf("a second ask while one waits: %v", err)
	}
	stray := envelope(t, wire.TypeGitAnswer, wire.GitAnswer{ID: "not-asked", Status: "?? stray\n"})
	tr.toHub <- stray
	ans := envelope(t, wire.TypeGitAnswer, wire.GitAnswer{ID: req.ID, Dir: "/w", Status: " M a.go\n", Truncated: true, DiffBytes: 9999})
	ans.Data = []byte("diff --git a/a.go b/a.go\n")
	tr.toHub <- ans
	r := <-res
	if r.err != nil || r.st.Status != " M a.go\n" || r.st.Diff != "diff --git a/a.go b/a.go\n" || !r.st.Truncated || r.st.DiffBytes != 9999 {
		t.Fatalf("answer %+v, %v", r.st, r.err)
	}
	finish(t, tr, done)
	if _, err := th.GitState(context.Background(), "sess-git", 1234); !errors.Is(err, ErrOffline) {
		t.Fatalf("offline session: %v", err)
	}
}
