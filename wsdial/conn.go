package wsdial

import (
	"context"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/coder/websocket"
	"github.com/ct-dev/ct/wire"
)

// Conn is one open connection to the hub: one binary message per envelope.
// Read from one goroutine; Write may be called from several (coder/websocket
// serialises writers).
type Conn struct {
	ws *websocket.Conn
	// mu guards buf, the frame being written, reused for the next (issue
	// 17.3: one 64 KiB allocation per output frame was the wrap's own cost);
	// coder/websocket has copied it out by the time Write returns.
	mu  sync.Mutex
	buf []byte
}

// keepWriteBuf is the largest frame buffer a connection keeps: an output
// frame fits; a rare big one (a file answer) is not held for good.
const keepWriteBuf = 256 << 10

// Write sends one envelope.
func (c *Conn) Write(ctx context.Context, e wire.Envelope) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	b, err := wire.AppendMarshal(c.buf[:0], e)
	if err != nil {
		return err
	}
	if cap(b) <= keepWriteBuf {
		c.buf = b
	} else {
		c.buf = nil
	}
	return c.ws.Write(ctx, websocket.MessageBinary, b)
}

// Read receives one envelope.
func (c *Conn) Read(ctx context.Context) (wire.Envelope, error) {
	_, b, err := c.ws.Read(ctx)
	if err != nil {
		return wire.Envelope{}, err
	}
	return wire.Unmarshal(b)
}

// Close says goodbye properly (a normal closure with reason), for a
// connection ended on purpose.
func (c *Conn) Close(reason string) { _ = c.ws.Close(websocket.StatusNormalClosure, reason) }

// CloseNow drops the connection without a closing handshake.
func (c *Conn) CloseNow() { _ = c.ws.CloseNow() }

// Reconnect backoff: 1 s doubling to 4 s, each wait jittered by ±20% so a
// fleet of machines does not reconnect in lockstep after a hub restart. The
// cap is low because a wrap that waits is a session shown offline: a hub
// that comes back is noticed within ~5 s (at 30 s it took up to 32 s). A
// failed attempt costs the hub one refused TCP connection or one small
// request, so a few hundred wraps retrying every 4 s are cheap.
const (
	BackoffMin = time.Second
	BackoffMax = 4 * time.Second
)

// nextWait is the backoff after wait.
func nextWait(wait time.Duration) time.Duration { return min(wait*2, BackoffMax) }

// Redial calls attempt until ctx ends, waiting the backoff between attempts
// (back to its minimum after a connection that lasted longer than its
// maximum: that was a working connection, not a failing one). ended is told
// each attempt's result at once, before the wait and even when ctx has
// ended; a receive from kick (nil: never) ends a wait early.
func Redial(ctx context.Context, kick <-chan struct{}, attempt func(context.Context) error, ended func(error)) {
	wait := BackoffMin
	for {
		began := time.Now()
		err := attempt(ctx)
		ended(err)
		if ctx.Err() != nil {
			return
		}
		if time.Since(began) > BackoffMax {
			wait = BackoffMin
		}
		jitter := time.Duration(float64(wait) * (0.8 + 0.4*rand.Float64()))
		select {
		case <-ctx.Done():
			return
		case <-time.After(jitter):
		case <-kick:
		}
		wait = nextWait(wait)
	}
}
