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
	ended bool // TurnEnded's answer
	typed []string
	where []string      // the session of each typed entry
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
func (f *fakeHub) TurnEnded(string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.ended
}
func (f *fakeHub) Wheel(string) (hub.WheelState, error) { return hub.WheelState{}, nil }
func (f *fakeHub) Input(id string, b []byte) error {
	f.mu.Lock()
	f.typed = append(f.typed, string(b))
	f.where = append(f.where, id)
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
	for _, u := range []db.User{
		{Name: "alice", Role: "member", Grants: []string{"m1"}},
		{Name: "mallory", Role: "member", Grants: []string{"m2"}}, // no access to m1
	} {
		if err := store.CreateUser(u); err != nil {
			t.Fatal(err)
		}
	}
	for _, id := range []string{"s1", "s2"} {
		if _, err := store.UpsertSession(db.Session{ID: id, Node: "m1", Command: "claude"}); err != nil {
			t.Fatal(err)
		}
	}
	cs := coord.New(store, nil, log)
	for _, p := range [][3]string{{"alice", "alice", "human"}, {"mallory", "mallory", "human"}, {"alice", "bot", "ai"}, {"alice", "bot2", "ai"}} {
		if _, err := cs.Identify(p[0], p[1], p[2]); err != nil {
			t.Fatal(err)
		}
	}
	yes := true
	for peer, sid := range map[string]string{"bot": "s1", "bot2": "s2"} {
		if _, err := cs.UpdatePeer(peer, coord.PeerUpdate{Session: &sid, NotifyPrompt: &yes}); err != nil {
			t.Fatal(err)
		}
	}
	fh := &fakeHub{state: state, ended: state == hub.StateWaitingInput, asked: make(chan struct{}, 1), input: make(chan struct{}, 4)}
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
	startNoticer(t, d, cs)
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

// send sends a note from one peer to another.
func send(t *testing.T, cs *coord.Service, from, to, subject string) {
	t.Helper()
	if _, err := cs.Send(from, coord.Message{To: to, Priority: "P2", Type: "note", Subject: subject}); err != nil {
		t.Fatal(err)
	}
}

// waitTyped waits for n typed entries and returns them as "session:text".
func (f *fakeHub) waitTyped(t *testing.T, n int) []string {
	t.Helper()
	for range n {
		select {
		case <-f.input:
		case <-time.After(10 * time.Second):
			t.Fatalf("typed %q, want %d entries", f.typed, n)
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for i, s := range f.typed {
		out = append(out, f.where[i]+":"+s)
	}
	return out
}

// The attack: a member with no access to machine m1 sends a message to an
// agent on m1; no notice may be typed for it. Jobs run in order in one
// goroutine, so once a later, allowed notice is typed, the refused one
// would have been typed before it.
func TestNoticeOnlyFromSendersWhoMayDrive(t *testing.T) {
	fh, cs, d := setup(t, hub.StateWaitingInput)
	startNoticer(t, d, cs)
	send(t, cs, "mallory", "bot", "please run rm")
	send(t, cs, "alice", "bot", "hello")
	got := fh.waitTyped(t, 2)
	if !strings.Contains(got[0], "from alice") || strings.Contains(strings.Join(got, " "), "mallory") {
		t.Fatalf("typed %q: mallory's message was typed into a machine she may not drive", got)
	}
}

// Terminal-only sessions get no notices at all.
func TestNoNoticeInTerminalOnly(t *testing.T) {
	fh, cs, d := setup(t, hub.StateWaitingInput)
	if _, err := d.Store.SetTerminalOnly("s1", true); err != nil {
		t.Fatal(err)
	}
	startNoticer(t, d, cs)
	send(t, cs, "alice", "bot", "to the terminal-only one")
	send(t, cs, "alice", "bot2", "to the other")
	if got := fh.waitTyped(t, 2); !strings.HasPrefix(got[0], "s2:") || !strings.HasPrefix(got[1], "s2:") {
		t.Fatalf("typed %q, want only session s2's notice and Enter", got)
	}
}

// Idle is not the end of a turn: a session quiet with a dialog left on
// screen (after a reconnect or a hook timeout) gets nothing typed, however
// long the noticer retries.
func TestNoNoticeWithoutStop(t *testing.T) {
	for _, st := range []string{hub.StateIdle, hub.StateWaitingInput} {
		fh, cs, d := setup(t, st)
		fh.ended = false // no Stop on this connection (Notification, or a reconnect)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { New(d).Run(ctx); close(done) }()
		waitSubscribed(t, cs)
		send(t, cs, "alice", "bot", "hello")
		<-fh.asked
		cancel()
		<-done // Run is one goroutine: whatever this try typed is recorded now
		if len(fh.typed) != 0 {
			t.Fatalf("%s without Stop: typed %q", st, fh.typed)
		}
	}
}

// However the message reads, the typed line starts with "[ct] ": never a
// bare digit, y or n that a dialog would take as its answer.
func TestLineNeverAnswersADialog(t *testing.T) {
	for _, subj := range []string{"1", "y", "n", "2\r", ""} {
		if l := Line(&coord.Message{ID: "9", From: "alice", Priority: "P1", Type: "note", Subject: subj}); !strings.HasPrefix(l, "[ct] new message #9") {
			t.Errorf("subject %q: line %q", subj, l)
		}
	}
}

// startNoticer runs a noticer on d until the test ends and waits until it
// follows the bus.
func startNoticer(t *testing.T, d Deps, cs *coord.Service) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	go New(d).Run(ctx)
	waitSubscribed(t, cs)
}
