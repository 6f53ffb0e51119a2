package handlers

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ct-dev/ct/auth"
)

// floodScreen scrolls a screen of rows lines steps times, one small frame
// at a time, then writes marker. Every line is 24 characters in alternating
// colours (one styled run each) so that each scroll changes every row into
// a large update, while each frame stays small enough (under 256 bytes)
// that the hub sends one update per frame instead of throttling to 20 a
// second. A 3 ms tick paces the frames (pacing, not synchronisation).
func floodScreen(w *testWrap, rows, steps int, marker string) {
	line := func(tag string) string {
		var b strings.Builder
		b.WriteString("\r\n" + tag)
		for i := range 24 - len(tag) {
			fmt.Fprintf(&b, "\x1b[3%dm%c", 1+i%6, 'a'+i%26)
		}
		return b.String()
	}
	for i := range rows {
		w.output(line(fmt.Sprintf("f%03d", i)))
	}
	tick := time.NewTicker(3 * time.Millisecond)
	defer tick.Stop()
	for i := range steps {
		<-tick.C
		w.output(line(fmt.Sprintf("s%04d", i)))
	}
	w.output("\r\n\x1b[0m" + marker)
}

// Finding 7: a page that stops reading must not make the hub resend the
// whole screen to every other viewer. The reading page gets every update
// and only a bounded number of whole screens (its own resync on open).
func TestStalledViewerDoesNotFloodOthers(t *testing.T) {
	f := newAuthFixture(t, fixtureOpts{})
	f.addUser("mach", auth.RoleMember, "box")
	mtok, _ := f.token("mach", auth.KindMachine, "", "box")
	w, err := f.dialWrap(mtok, "box", "sess-flood-1", 80, 200)
	if err != nil {
		t.Fatal(err)
	}
	defer w.close()
	w.live()
	tok, _ := f.token("admin", auth.KindAPI, auth.RoleAdmin, "")
	events, _ := sseEvents(t, f.ts.URL+"/events/s/sess-flood-1?v=reader", tok)
	f.stuckClient("/events/s/sess-flood-1?v=stuck", tok)

	const marker = "FINAL-MARKER-7"
	go floodScreen(w, 200, 1200, marker)
	fulls, updates := 0, 0
	timeout := time.After(60 * time.Second)
	for {
		select {
		case ev, ok := <-events:
			if !ok {
				t.Fatal("the reading page's stream ended")
			}
			updates++
			if strings.Contains(ev, `id="rows"`) {
				fulls++
			}
			if strings.Contains(ev, marker) {
				t.Logf("reader: %d events, %d whole screens", updates, fulls)
				if fulls > 3 {
					t.Fatalf("the reading page got %d whole screens while another page stalled; want at most 3 (its own resyncs)", fulls)
				}
				return
			}
		case <-timeout:
			t.Fatalf("the reading page never saw the last output (%d events, %d whole screens)", updates, fulls)
		}
	}
}
