package hub

import (
	"testing"
	"time"

	"github.com/ct-dev/ct/wire"
)

// The attack: a connection of the session sends seq 1,000,000. Taken, every
// real event after it would be dropped as a duplicate. It must end the
// connection instead, and the real output must still be stored.
func TestSeqJumpRefused(t *testing.T) {
	th := newTestHub(t)
	const sid = "sess-jump"
	tr, done, _ := th.connect(t, sid)
	tr.toHub <- output(1, "a")
	th.waitAck(t, tr, sid, 1)
	tr.toHub <- output(1_000_000, "FAKE")
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("the connection ended without an error")
		}
	case <-time.After(waitLimit):
		t.Fatal("a seq jump did not end the connection")
	}
	tr.close()
	tr2, done2, acked := th.connect(t, sid)
	if acked != 1 {
		t.Fatalf("reconnect acked %d, want 1", acked)
	}
	tr2.toHub <- output(2, "b")
	th.waitAck(t, tr2, sid, 2)
	if got := th.logBytes(t, sid); got != "ab" {
		t.Fatalf("store holds %q, want ab", got)
	}
	finish(t, tr2, done2)
}

// A pty.dropped notice may skip exactly the frames it declares (it reuses
// the last dropped seq), no more.
func TestDroppedNoticeSkipsOnlyWhatItDeclares(t *testing.T) {
	th := newTestHub(t)
	const sid = "sess-dropped"
	tr, done, _ := th.connect(t, sid)
	tr.toHub <- output(1, "a")
	dropped := func(seq uint64, frames int) wire.Envelope {
		e := envelope(t, wire.TypePtyDropped, wire.Dropped{Bytes: int64(frames), Frames: frames})
		e.Seq = seq
		return e
	}
	tr.toHub <- dropped(5, 4) // frames 2..5 dropped: seq 5 is the notice
	tr.toHub <- output(6, "b")
	th.waitAck(t, tr, sid, 6)
	tr.toHub <- dropped(100, 3) // skips 93 while declaring 3
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("the connection ended without an error")
		}
	case <-time.After(waitLimit):
		t.Fatal("an over-long pty.dropped skip did not end the connection")
	}
	tr.close()
	if ss, _ := th.store.GetSession(sid); ss.LastSeq != 6 {
		t.Fatalf("store ends at %d, want 6", ss.LastSeq)
	}
}

// The attack: another holder of a machine token replays a live session's id.
// Without the wrap's reconnect secret the hub refuses the session.start (so
// it can neither take the session over nor feed it fake output); the real
// wrap, with its secret, resumes.
func TestSessionReplayNeedsResumeSecret(t *testing.T) {
	th := newTestHub(t)
	const sid = "sess-replay"
	ss := wire.SessionStart{Command: "claude", Cols: 40, Rows: 5, StartedAt: time.Now().UTC(), Resume: "the-real-secret"}
	tr, done, _ := th.connectAs(t, sid, ss)
	for _, forged := range []string{"guessed", ""} {
		ft, fdone := th.serve()
		ft.toHub <- envelope(t, wire.TypeNodeHello, wire.Hello{Node: "box"})
		start := envelope(t, wire.TypeSessionStart, wire.SessionStart{Command: "claude", Cols: 40, Rows: 5, Resume: forged})
		start.SessionID = sid
		ft.toHub <- start
		if e := ft.recv(t, ""); e.Type != wire.TypeError {
			t.Fatalf("resume secret %q: the hub answered %s, want an error", forged, e.Type)
		}
		if err := <-fdone; err == nil {
			t.Fatalf("resume secret %q: the replay was served", forged)
		}
	}
	tr.toHub <- output(1, "real")
	th.waitAck(t, tr, sid, 1) // the real connection was never replaced
	finish(t, tr, done)
	tr2, done2, acked := th.connectAs(t, sid, ss)
	if acked != 1 {
		t.Fatalf("the real wrap resumed at %d, want 1", acked)
	}
	finish(t, tr2, done2)
}
