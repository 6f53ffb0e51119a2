package hub

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/ct-dev/ct/wire"
)

// gatedLobby is a Listener whose LobbyChanged waits until release is closed:
// it holds ServeWrap inside the work it does after attaching a connection
// (in real life the store's fsyncs), so a test can type into that window.
type gatedLobby struct {
	*recorder
	release chan struct{}
}

func (g gatedLobby) LobbyChanged() { <-g.release }

// A paste right after a wrap connects (more inputs than the wrap's queue
// holds) must all reach the wrap, in order, after its greeting: the send
// loop runs before input can be queued, not after the connect's store
// writes.
func TestInputRightAfterConnectNotRefused(t *testing.T) {
	th := newTestHub(t)
	gate := gatedLobby{recorder: th.rec, release: make(chan struct{})}
	th.SetListener(gate)
	released := false
	release := func() {
		if !released {
			released = true
			close(gate.release)
		}
	}
	defer release()

	tr, done := th.serveAuth(WrapAuth{User: "ann"})
	tr.toHub <- envelope(t, wire.TypeNodeHello, wire.Hello{Node: "box", Hostname: "box.lan", User: "ann", OS: "linux", Version: "test"})
	start := envelope(t, wire.TypeSessionStart, wire.SessionStart{Command: "bash", Cwd: "/tmp", Cols: 40, Rows: 5, StartedAt: time.Now().UTC()})
	start.SessionID = "paste-at-connect"
	tr.toHub <- start

	const n = 4 * inputQueue
	deadline := time.Now().Add(waitLimit)
	for { // the first input as soon as the session takes input
		err := th.Input(start.SessionID, []byte("k0000;"))
		if err == nil {
			break
		}
		if !errors.Is(err, ErrOffline) && !errors.Is(err, ErrNotFound) || time.Now().After(deadline) {
			t.Fatalf("first input: %v", err)
		}
		time.Sleep(time.Millisecond) // polling interval, not synchronisation
	}
	for i := 1; i < n; i++ {
		if err := th.Input(start.SessionID, []byte(fmt.Sprintf("k%04d;", i))); err != nil {
			t.Fatalf("input %d of a paste right after connect: %v", i, err)
		}
	}
	release()

	want := []string{wire.TypeSessionAck, wire.TypeSessionAgent}
	for _, typ := range want {
		if e := tr.recv(t, ""); e.Type != typ {
			t.Fatalf("the greeting must come first: got %s, want %s", e.Type, typ)
		}
	}
	for i := 0; i < n; i++ {
		e := tr.recv(t, wire.TypePtyInput)
		if got, want := string(e.Data), fmt.Sprintf("k%04d;", i); got != want {
			t.Fatalf("input %d arrived as %q, want %q (out of order)", i, got, want)
		}
	}
	if err := finish(t, tr, done); err != nil && !errors.Is(err, errClosed) {
		t.Fatal(err)
	}
}
