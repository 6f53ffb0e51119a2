package hub

import (
	"errors"
	"testing"

	"github.com/ct-dev/ct/wire"
)

// recvSize reads the next pty.resize the wrap gets and checks its size.
func recvSize(t *testing.T, tr *fakeTransport, cols, rows int) {
	t.Helper()
	var r wire.Resize
	if e := tr.recv(t, wire.TypePtyResize); e.Decode(&r) != nil || r.Cols != cols || r.Rows != rows {
		t.Fatalf("wrap got resize %+v, want %dx%d", r, cols, rows)
	}
}

// Fit mode: only the wheel holder sizes the PTY; the size goes back when
// they let go of the wheel and when their last page closes.
func TestFitGoesBackOnReleaseAndLeave(t *testing.T) {
	th := newTestHub(t)
	tr, _, _ := th.connect(t, "sess-fit") // a 40x5 terminal
	th.Present("sess-fit", "ann", "phone", 1)
	th.Present("sess-fit", "bob", "desktop", 1)
	if err := th.Fit("sess-fit", "ann", 20, 4); err != nil {
		t.Fatal(err)
	}
	recvSize(t, tr, 20, 4)
	if got := th.Fitted("sess-fit"); got != "ann" {
		t.Fatalf("Fitted = %q, want ann", got)
	}
	if err := th.Fit("sess-fit", "bob", 30, 4); !errors.Is(err, ErrNotHolder) {
		t.Fatalf("bob, without the wheel, fitted the PTY: %v", err)
	}
	if err := th.DoWheel("sess-fit", "ann", false, WheelRelease); err != nil {
		t.Fatal(err)
	}
	recvSize(t, tr, 40, 5) // let go: the terminal's own size
	if err := th.Fit("sess-fit", "ann", 22, 4); err != nil {
		t.Fatal(err)
	}
	recvSize(t, tr, 22, 4)
	th.Present("sess-fit", "ann", "phone", -1)
	recvSize(t, tr, 40, 5) // left: the size goes back at once
	if got := th.Fitted("sess-fit"); got != "" {
		t.Fatalf("Fitted = %q after ann left, want nobody", got)
	}
}
