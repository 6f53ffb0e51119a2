package hub

import (
	"strings"
	"testing"
	"time"

	"github.com/ct-dev/ct/wire"
)

// Issue 12, finding 12: one machine token filled a disk in seconds. Output
// past a session's quota is stored as a pty.dropped record of its size (the
// log says what is missing, the sequence stays dense, the session still
// ends), and the wrap is told once.
func TestSessionQuotaKeepsOnlyTheSize(t *testing.T) {
	th := newTestHub(t)
	th.ingest = newIngestLimits(th.store, Options{SessionQuota: 100})
	const sid = "sess-quota"
	tr, done, _ := th.connect(t, sid)
	tr.toHub <- output(1, strings.Repeat("a", 60))
	tr.toHub <- output(2, strings.Repeat("b", 60)) // 120 > 100: kept as its size
	tr.toHub <- output(3, "c")                     // still over
	end := envelope(t, wire.TypeSessionEnd, wire.SessionEnd{ExitCode: 0, EndedAt: time.Now().UTC()})
	end.Seq = 4
	tr.toHub <- end
	refused := 0
	for {
		e := tr.recv(t, "")
		if e.Type == wire.TypeIngestRefused {
			refused++
			var m wire.IngestRefused
			if e.Decode(&m) != nil || m.Reason != "session-quota" || !strings.Contains(m.Message, "--session-quota") {
				t.Fatalf("refusal %s", e.Payload)
			}
		}
		if e.Type == wire.TypeAck && e.Seq >= 4 {
			break
		}
	}
	ss, err := th.store.GetSession(sid)
	if err != nil {
		t.Fatal(err)
	}
	if ss.OutputBytes != 60 || ss.DroppedBytes != 61 || ss.Status != "ended" || refused != 1 {
		t.Fatalf("stored %d bytes, dropped %d, status %s, refusals %d; want 60, 61, ended, 1", ss.OutputBytes, ss.DroppedBytes, ss.Status, refused)
	}
	finish(t, tr, done)
}

// Below the free-space floor output is kept only as its size, /healthz's
// check (DiskLow) says so, and ingest resumes when space returns (here: the
// floor is lowered, as freeing space would).
func TestFreeSpaceFloor(t *testing.T) {
	th := newTestHub(t)
	dir := t.TempDir()
	th.ingest = newIngestLimits(th.store, Options{MinFreeDisk: 1 << 62, DataDir: dir})
	if low, _ := th.DiskLow(); !low {
		t.Fatal("a floor above any disk's size is not reported low")
	}
	e := output(1, "abc")
	e.SessionID = "s"
	got, why := th.ingest.admit("box", e)
	if why == nil || why.Reason != "disk" || got.Type != wire.TypePtyDropped || got.Seq != 1 {
		t.Fatalf("below the floor: %s seq %d, %+v", got.Type, got.Seq, why)
	}
	th.ingest.minFree = 1 // space returned
	th.ingest.statAt = time.Time{}
	e.Seq = 2
	if got, why := th.ingest.admit("box", e); why != nil || got.Type != wire.TypePtyOutput {
		t.Fatalf("after space returned: %s, %+v", got.Type, why)
	}
}
