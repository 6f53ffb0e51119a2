package hub

import (
	"testing"
	"time"

	"github.com/ct-dev/ct/db"
	"github.com/ct-dev/ct/wire"
)

// Finding 11: a wrap declaring a huge screen (at start or by resize) gets
// an emulator of at most MaxCols x MaxRows.
func TestScreenSizeClamped(t *testing.T) {
	h := newTestHub(t)
	if _, err := h.store.UpsertSession(db.Session{ID: "sess-huge-1", Node: "box", Command: "bash", Cols: 1000, Rows: 500, Status: db.StatusOffline, StartedAt: time.Now().UTC()}); err != nil {
		t.Fatal(err)
	}
	snap, err := h.Screen("sess-huge-1")
	if err != nil {
		t.Fatal(err)
	}
	if snap.Cols > MaxCols || len(snap.Rows) > MaxRows {
		t.Fatalf("a declared 1000x500 screen is emulated at %dx%d; want at most %dx%d", snap.Cols, len(snap.Rows), MaxCols, MaxRows)
	}
	s, _ := h.load("sess-huge-1")
	e, _ := wire.New(wire.TypePtyResize, wire.Resize{Cols: 5000, Rows: 4000})
	s.apply(e)
	s.feed()
	if snap := s.snapshot(); snap.Cols > MaxCols || len(snap.Rows) > MaxRows {
		t.Fatalf("a resize to 5000x4000 is emulated at %dx%d", snap.Cols, len(snap.Rows))
	}
}
