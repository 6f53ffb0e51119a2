package promptnotice

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ct-dev/ct/coord"
	"github.com/ct-dev/ct/db"
	"github.com/ct-dev/ct/hub"
)

// fakeHub is a session whose state the test sets; it records input.
type fakeHub struct {
	mu    sync.Mutex
	state string
	typed []string
	asked chan struct{} // a state check happened
	input chan struct{} // something was typed
}

func (f *fakeHub) State(db.Session) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	select {
	case f.asked <- struct{}{}:
	default:
	}
	return f.state
}
func (f *fakeHub) Wheel(string) (hub.WheelState, error) { return hub.WheelState{}, nil }
func (f *fakeHub) Input(_ string, b []byte) error {
	f.mu.Lock()
	f.typed = append(f.typed, string(b))
	f.mu.Unlock()
	f.input <- struct{}{}
	return nil
}

type nopAudit struct{}

func (nopAudit) Record(string, string, string, string) {}

func setup(t *testing.T, state string) (*fakeHub, *coord.Service, Deps) {
	t.Helper()
	store, err := db.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if _, err := store.UpsertSession(db.Session{ID: "s1", Node: "m1", Command: "claude"}); err != nil {
		t.Fatal(err)
	}
	cs := coord.New(store, nil, log)
	if _, err := cs.Identify("alice", "bot", "ai"); err != nil {
		t.Fatal(err)
	}
	sid, yes := "s1", true
	if _, err := cs.UpdatePeer("bot", coord.PeerUpdate{Session: &sid, NotifyPrompt: &yes}); err != nil {
		t.Fatal(err)
	}
	fh := &fakeHub{state: state, asked: make(chan struct{}, 1), input: make(chan struct{}, 4)}
	return fh, cs, Deps{Coord: cs, Hub: fh, Store: store, Audit: nopAudit{}, Log: log}
}

// A busy session's notice is retried inside Run's own queue: cancelling
// Run ends it, retries and all (no timer chain left behind).
func TestRunStopsWithPendingRetries(t *testing.T) {
	fh, cs, d := setup(t, hub.StateWorking)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { New(d).Run(ctx); close(done) }()
	waitSubscribed(t, cs)
	if _, err := cs.Send("alice", coord.Message{To: "bot", Priority: "P2", Type: "note", Body: "hello"}); err != nil {
		t.Fatal(err)
	}
	<-fh.asked // the first try found the session busy and queued a retry
	cancel()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
	if len(fh.typed) != 0 {
		t.Fatalf("typed %q into a busy session", fh.typed)
	}
}

func TestNoticeTypedThenEnter(t *testing.T) {
	fh, cs, d := setup(t, hub.StateWaitingInput)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go New(d).Run(ctx)
	waitSubscribed(t, cs)
	if _, err := cs.Send("alice", coord.Message{To: "bot", Priority: "P2", Type: "note", Subject: "build\x1b[31m red"}); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		select {
		case <-fh.input:
		case <-time.After(10 * time.Second):
			t.Fatalf("typed %q, want the notice then Enter", fh.typed)
		}
	}
	fh.mu.Lock()
	defer fh.mu.Unlock()
	if !strings.HasPrefix(fh.typed[0], "[ct] new message #") || strings.ContainsRune(fh.typed[0], 0x1b) || fh.typed[1] != "\r" {
		t.Fatalf("typed %q", fh.typed)
	}
}

// waitSubscribed waits until Run follows the bus (a message sent before
// would not reach it).
func waitSubscribed(t *testing.T, cs *coord.Service) {
	t.Helper()
	for i := 0; i < 1000 && cs.Bus().Subscribers() == 0; i++ {
		time.Sleep(5 * time.Millisecond)
	}
}

func TestLineIsBounded(t *testing.T) {
	m := &coord.Message{ID: "7", From: "alice", Priority: "P1", Type: "task", Body: strings.Repeat("x", 500) + "\nsecond"}
	if l := Line(m); len(l) != noticeMax || strings.Contains(l, "second") {
		t.Fatalf("line %d bytes: %q", len(l), l)
	}
}
