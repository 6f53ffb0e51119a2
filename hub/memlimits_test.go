package hub

import (
	"strings"
	"testing"
	"time"

	"github.com/ct-dev/ct/wire"
)

// startSession plays a wrap's handshake for sid on machine box and returns
// the hub's first answer.
func (th *testHub) startSession(tb testing.TB, sid string) (*fakeTransport, <-chan error, wire.Envelope) {
	tb.Helper()
	t, done := th.serve()
	t.toHub <- envelope(tb, wire.TypeNodeHello, wire.Hello{Node: "box"})
	start := envelope(tb, wire.TypeSessionStart, wire.SessionStart{Command: "bash", Cols: 80, Rows: 24, StartedAt: time.Now().UTC()})
	start.SessionID = sid
	t.toHub <- start
	return t, done, t.recv(tb, "")
}

// Finding 11 (memory): one machine token opening session after session is
// refused past the per-machine cap, with a message the wrap prints; a
// reconnect of a live session still gets through, and a slot freed by a
// disconnect is taken again.
func TestSessionsPerMachineCapped(t *testing.T) {
	th := newTestHub(t)
	th.opts.MaxSessionsPerMachine = 2
	_, done1, _ := th.connect(t, "sess-cap-1")
	t2, done2, _ := th.connect(t, "sess-cap-2")
	t3, done3, first := th.startSession(t, "sess-cap-3")
	if first.Type != wire.TypeError {
		t.Fatalf("the 3rd live session of a machine capped at 2 got %s, want a refusal", first.Type)
	}
	var m wire.Error
	if err := first.Decode(&m); err != nil || !strings.Contains(m.Message, "--max-sessions-per-machine") {
		t.Fatalf("refusal %q does not name the setting", m.Message)
	}
	if err := finish(t, t3, done3); err == nil {
		t.Fatal("a refused session.start returned no error")
	}
	if _, err := th.store.GetSession("sess-cap-3"); err == nil {
		t.Fatal("a refused session was stored")
	}
	// The wrap of session 1 reconnecting (its old connection not yet
	// noticed dead) replaces it: not a new session.
	if _, _, again := th.startSession(t, "sess-cap-1"); again.Type != wire.TypeSessionAck {
		t.Fatalf("a reconnect at the cap got %s", again.Type)
	}
	// The ack comes before the attach that replaces the old connection:
	// wait for the old one to end, as its slot is the one the reconnect keeps.
	select {
	case <-done1:
	case <-time.After(waitLimit):
		t.Fatal("the replaced connection of sess-cap-1 never ended")
	}
	finish(t, t2, done2)
	if _, _, freed := th.startSession(t, "sess-cap-4"); freed.Type != wire.TypeSessionAck {
		t.Fatalf("a session after one ended got %s", freed.Type)
	}
}

// Many session.starts at once cannot race past the cap.
func TestSessionsPerMachineCapConcurrent(t *testing.T) {
	th := newTestHub(t)
	th.opts.MaxSessionsPerMachine = 3
	const n = 8
	answers := make(chan string, n)
	for i := range n {
		go func() {
			tr, done := th.serve()
			tr.toHub <- envelope(t, wire.TypeNodeHello, wire.Hello{Node: "box"})
			start := envelope(t, wire.TypeSessionStart, wire.SessionStart{Command: "bash", Cols: 80, Rows: 24})
			start.SessionID = "sess-race-" + string(rune('a'+i))
			tr.toHub <- start
			select {
			case e := <-tr.fromHub:
				answers <- e.Type
			case <-done:
				answers <- "ended"
			case <-time.After(waitLimit):
				answers <- "timeout"
			}
		}()
	}
	acks := 0
	for range n {
		if <-answers == wire.TypeSessionAck {
			acks++
		}
	}
	if acks != 3 {
		t.Fatalf("%d of %d simultaneous sessions were accepted; the cap is 3", acks, n)
	}
}

// Finding 11 (memory): a session with no wrap and no page gives its
// emulator back after EvictAfter, and is rebuilt from the log's tail when
// a page asks for it again. Watched or connected sessions stay.
func TestIdleSessionEvicted(t *testing.T) {
	th := newTestHub(t)
	after := 10 * time.Minute
	tr, done, _ := th.connect(t, "sess-evict")
	tr.toHub <- output(1, "still here")
	th.waitAck(t, tr, "sess-evict", 1)
	later := time.Now().Add(after + time.Minute)
	if n := th.evictIdle(later, after); n != 0 {
		t.Fatalf("a connected session was evicted (%d)", n)
	}
	finish(t, tr, done)
	th.Watch("sess-evict", +1)
	if n := th.evictIdle(later, after); n != 0 {
		t.Fatalf("a watched session was evicted (%d)", n)
	}
	th.Watch("sess-evict", -1)
	if n := th.evictIdle(time.Now().Add(time.Minute), after); n != 0 {
		t.Fatalf("a session idle for a minute was evicted (%d)", n)
	}
	if n := th.evictIdle(time.Now().Add(after+time.Minute), after); n != 1 {
		t.Fatalf("evicted %d sessions idle past EvictAfter, want 1", n)
	}
	if _, loaded := th.Counts(); loaded != 0 {
		t.Fatalf("%d sessions still in memory after eviction", loaded)
	}
	if txt, err := th.ScreenText("sess-evict"); err != nil || txt != "still here\n" {
		t.Fatalf("screen rebuilt after eviction: %q, %v", txt, err)
	}
}
