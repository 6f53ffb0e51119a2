package handlers

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/ct-dev/ct/wire"
)

// TestWSTransportReusesItsBuffer: frames of every size read whole and in
// order through one reused buffer (issue 17.2), the buffer is kept for an
// output frame and let go after an outsized one.
func TestWSTransportReusesItsBuffer(t *testing.T) {
	sizes := []int{0, 10, 64 << 10, 1 << 20, 64 << 10, 3}
	got := make(chan error, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := websocket.Accept(w, r, nil)
		if err != nil {
			got <- err
			return
		}
		defer c.CloseNow()
		c.SetReadLimit(wire.MaxFrame)
		tr := wsTransport{c: c, lastRead: new(atomic.Int64), buf: new([]byte)}
		for i, n := range sizes {
			e, err := tr.Read(r.Context())
			if err != nil {
				got <- err
				return
			}
			if e.Seq != uint64(i+1) || !bytes.Equal(e.Data, payload(i, n)) {
				got <- &frameErr{i, n, len(e.Data)}
				return
			}
			if c := cap(*tr.buf); n == 1<<20 && c != 0 || n == 64<<10 && c < n {
				got <- &frameErr{i, n, c}
				return
			}
		}
		got <- nil
	}))
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseNow()
	for i, n := range sizes {
		b, err := wire.Marshal(wire.Envelope{Type: wire.TypePtyOutput, Seq: uint64(i + 1), Data: payload(i, n)})
		if err != nil {
			t.Fatal(err)
		}
		if err := c.Write(ctx, websocket.MessageBinary, b); err != nil {
			t.Fatal(err)
		}
	}
	select {
	case err := <-got:
		if err != nil {
			t.Fatal(err)
		}
	case <-ctx.Done():
		t.Fatal("the server side never finished reading")
	}
}

type frameErr struct{ i, want, got int }

func (e *frameErr) Error() string {
	return fmt.Sprintf("frame %d of %d bytes: got %d (data or kept buffer)", e.i, e.want, e.got)
}

// payload is frame i's distinct bytes, so a reused buffer's leftovers show.
func payload(i, n int) []byte {
	b := make([]byte, n)
	for k := range b {
		b[k] = byte(i*7 + k)
	}
	if n == 0 {
		return nil
	}
	return b
}
