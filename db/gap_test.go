package db

import (
	"testing"

	"github.com/ct-dev/ct/wire"
)

// An event after an undeclared gap is not stored (so not acked): the wrap
// resends from the gap. A pty.dropped notice may jump: it declares the gap.
func TestAppendEventsRefusesUndeclaredGaps(t *testing.T) {
	s := openStore(t, t.TempDir())
	newSession(t, s, "gapgapgap")
	acked, err := s.AppendEvents([]wire.Envelope{output("gapgapgap", 1, "a"), output("gapgapgap", 3, "c")})
	if err != nil {
		t.Fatal(err)
	}
	if acked["gapgapgap"] != 1 {
		t.Fatalf("acked %d after a gap, want 1", acked["gapgapgap"])
	}
	// The resend fills the gap in order.
	if acked, _ = s.AppendEvents([]wire.Envelope{output("gapgapgap", 2, "b"), output("gapgapgap", 3, "c")}); acked["gapgapgap"] != 3 {
		t.Fatalf("acked %d after the resend, want 3", acked["gapgapgap"])
	}
	// A drop notice may jump ahead.
	notice := payload(t, wire.TypePtyDropped, "gapgapgap", 9, wire.Dropped{Bytes: 100, Frames: 5})
	if acked, _ = s.AppendEvents([]wire.Envelope{notice, output("gapgapgap", 10, "d")}); acked["gapgapgap"] != 10 {
		t.Fatalf("acked %d after a drop notice, want 10", acked["gapgapgap"])
	}
	var got string
	for _, e := range readAll(t, s, "gapgapgap", 0) {
		got += string(e.Data)
	}
	if got != "abcd" {
		t.Fatalf("log %q, want abcd", got)
	}
	if ss, _ := s.GetSession("gapgapgap"); ss.DroppedBytes != 100 {
		t.Fatalf("dropped %d, want 100", ss.DroppedBytes)
	}
}
