package wsdial

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/ct-dev/ct/wire"
)

// TestWriteReusesItsFrameBuffer: frames written one after another through
// one reused buffer (issue 17.3) arrive whole and distinct, the buffer is
// kept for an output frame and let go after an outsized one.
func TestWriteReusesItsFrameBuffer(t *testing.T) {
	sizes := []int{64 << 10, 10, 1 << 20, 64 << 10}
	got := make(chan error, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := websocket.Accept(w, r, nil)
		if err != nil {
			got <- err
			return
		}
		defer c.CloseNow()
		c.SetReadLimit(wire.MaxFrame)
		for i, n := range sizes {
			_, b, err := c.Read(r.Context())
			if err == nil {
				var e wire.Envelope
				if e, err = wire.Unmarshal(b); err == nil && (e.Seq != uint64(i+1) || !bytes.Equal(e.Data, frameData(i, n))) {
					err = fmt.Errorf("frame %d: seq %d, %d bytes, not what was sent", i, e.Seq, len(e.Data))
				}
			}
			if err != nil {
				got <- err
				return
			}
		}
		got <- nil
	}))
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ws, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http"), nil)
	if err != nil {
		t.Fatal(err)
	}
	c := &Conn{ws: ws}
	defer c.CloseNow()
	for i, n := range sizes {
		if err := c.Write(ctx, wire.Envelope{Type: wire.TypePtyOutput, Seq: uint64(i + 1), Data: frameData(i, n)}); err != nil {
			t.Fatal(err)
		}
		if kept := cap(c.buf); n == 1<<20 && kept != 0 || n == 64<<10 && kept < n {
			t.Fatalf("after a %d-byte frame the connection keeps a %d-byte buffer", n, kept)
		}
	}
	select {
	case err := <-got:
		if err != nil {
			t.Fatal(err)
		}
	case <-ctx.Done():
		t.Fatal("the server never read every frame")
	}
}

// frameData is frame i's distinct bytes, so a reused buffer's leftovers show.
func frameData(i, n int) []byte {
	b := make([]byte, n)
	for k := range b {
		b[k] = byte(i*7 + k)
	}
	return b
}
