package ptywrap

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/ct-dev/ct/wire"
)

// TestFloodFramesCoalesce: in a flood the sender lets the growing frame
// reach coalesceMin before sending it, instead of one frame per PTY read
// (issue 17.3); below the flood rate a frame goes at once, and an urgent
// envelope is never held back.
func TestFloodFramesCoalesce(t *testing.T) {
	chunk := bytes.Repeat([]byte("y"), 4<<10)
	st := &streamer{sp: testSpool(64 << 20), urgent: make(chan wire.Envelope, 1)}
	ctx := context.Background()

	var quiet flood
	st.sp.addOutput(chunk)
	if e, ok := st.nextToSend(ctx, &quiet); !ok || len(e.Data) != len(chunk) {
		t.Fatalf("below the flood rate the frame waited or changed: %d bytes", len(e.Data))
	}

	waiting := make(chan struct{})
	f := flood{wait: time.Hour, waiting: waiting} // only growth ends the wait: no clock in the test
	f.sent(time.Now(), floodBytes)
	st.sp.addOutput(chunk)
	got := make(chan wire.Envelope, 1)
	go func() {
		e, _ := st.nextToSend(ctx, &f)
		got <- e
	}()
	select {
	case <-waiting:
	case e := <-got:
		t.Fatalf("in a flood a %d-byte frame was sent at once", len(e.Data))
	}
	for range coalesceMin / len(chunk) {
		st.sp.addOutput(chunk) // PTY reads arriving while the frame waits
	}
	e := <-got
	if len(e.Data) < coalesceMin {
		t.Fatalf("in a flood a %d-byte frame was sent; want at least %d", len(e.Data), coalesceMin)
	}

	st.sp.addOutput(chunk)
	st.urgent <- wire.Envelope{Type: wire.TypePromptOpen}
	if e, ok := st.nextToSend(ctx, &f); !ok || e.Type != wire.TypePromptOpen {
		t.Fatalf("an urgent envelope waited behind a coalescing frame: got %s", e.Type)
	}
}
