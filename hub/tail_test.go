package hub

import (
	"testing"
	"time"

	"github.com/ct-dev/ct/wire"
)

// Issue 13, finding 3: while ct flush delivers what a wrap kept after its
// program ended with the hub away, the session reads "ended on the
// workstation, N still to arrive", then ended once its end is stored.
func TestDeliveredTailShowsEnding(t *testing.T) {
	th := newTestHub(t)
	const sid = "sess-tail-ending"
	tr, done, _ := th.connect(t, sid)
	notice := envelope(t, wire.TypeSessionTail, wire.SessionTail{Bytes: 5000, SavedAt: time.Now().UTC()})
	notice.SessionID = sid
	tr.toHub <- notice
	tr.toHub <- output(1, "the last lines\r\n") // a sequenced event after it: the notice was handled
	th.waitAck(t, tr, sid, 1)
	ss, _ := th.store.GetSession(sid)
	if st := th.State(ss); st != StateEnding || th.TailBytes(sid) != 5000 {
		t.Fatalf("state %s, tail %d; want ending, 5000", st, th.TailBytes(sid))
	}
	end := envelope(t, wire.TypeSessionEnd, wire.SessionEnd{ExitCode: 7, EndedAt: time.Now().UTC()})
	end.Seq = 2
	tr.toHub <- end
	th.waitAck(t, tr, sid, 2)
	ss, _ = th.store.GetSession(sid)
	if st := th.State(ss); st != StateEnded {
		t.Fatalf("after the end: %s", st)
	}
	finish(t, tr, done)
}
