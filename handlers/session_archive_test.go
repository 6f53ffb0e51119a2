package handlers

import (
	"strings"
	"testing"
	"time"

	"github.com/ct-dev/ct/auth"
	"github.com/ct-dev/ct/wire"
)

// Archive tapped right after the page says "ended": the wrap has sent
// session.end but is still connected (it waits for its last acks). The
// manage page offers Archive and the archive succeeds, never a 409; a
// session that has not ended is still refused while its wrap is there.
func TestArchiveEndedSessionWhileItsWrapDrains(t *testing.T) {
	f := newAuthFixture(t, fixtureOpts{})
	mtok, _ := f.token("admin", auth.KindMachine, "", "box")
	admin := cred{cookie: f.cookie("admin", time.Hour)}
	w, err := f.dialWrap(mtok, "box", "sess-drain-1", 80, 24)
	if err != nil {
		t.Fatal(err)
	}
	defer w.close()
	w.live()
	if res := f.do("POST", "/s/sess-drain-1/archive", form("archived", "1"), admin, nil); res.status != 409 {
		t.Fatalf("archive of a live session = %d, want 409", res.status)
	}
	stream, _ := sseEventsAs(t, f.ts.URL+"/events/s/sess-drain-1?v=drain1", admin)
	w.output("bye\r\n")
	end, _ := wire.New(wire.TypeSessionEnd, wire.SessionEnd{ExitCode: 0, EndedAt: time.Now().UTC()})
	w.seq++
	end.SessionID, end.Seq = w.sid, w.seq
	if err := w.write(end); err != nil {
		t.Fatal(err)
	}
	waitEvent(t, stream, `data-status="ended"`) // what the open page shows
	if !f.hub.Connected("sess-drain-1") {
		t.Fatal("the wrap went before the test could archive; the draining moment was not exercised")
	}
	page := f.do("GET", "/s/sess-drain-1/manage", "", admin, nil)
	if !strings.Contains(page.body, `id="archive-btn"`) {
		t.Fatalf("the manage page of an ended session whose wrap drains offers no Archive: %.600s", page.body)
	}
	if res := f.do("POST", "/s/sess-drain-1/archive", form("archived", "1"), admin, nil); res.status != 303 {
		t.Fatalf("archive of an ended session whose wrap is still connected = %d %.200s, want 303", res.status, res.body)
	}
	if ss, _ := f.store.GetSession("sess-drain-1"); !ss.Archived {
		t.Fatal("the session is not archived")
	}
}
