package ptywrap

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/coder/websocket"
	"github.com/ct-dev/ct/wire"
)

// Reconnect backoff: 1 s doubling to 30 s, each wait jittered by ±20% so a
// fleet of wraps does not reconnect in lockstep after a hub restart.
const (
	backoffMin = time.Second
	backoffMax = 30 * time.Second
)

// streamer keeps one outbound WebSocket to the hub for one session, and
// replays the spool after each reconnect.
type streamer struct {
	wsURL     string
	token     string
	hello     wire.Hello
	sessionID string
	sp        *spool
	onInput   func([]byte)
	onResize  func(cols, rows int)
	plugin    Plugin             // may be nil
	urgent    chan wire.Envelope // unsequenced envelopes (prompts), sent before output

	mu         sync.Mutex
	start      wire.SessionStart // updated on resize so a reconnect reports the current size
	connected  bool
	lastTyping time.Time // last "typing at the terminal" notice sent
	ever       bool      // connected at least once
	lastErr    error
	attempted  chan struct{} // closed after the first connection attempt ends
	busy       bool          // a connection is being made or is up (not waiting to retry)
	kick       chan struct{} // cap 1: end the current wait before a retry (wrap is exiting)
	once       sync.Once
}

// WSURL turns a hub URL (http or https) into the wrap's WebSocket endpoint.
func WSURL(hub string) (string, error) {
	u, err := url.Parse(strings.TrimRight(hub, "/"))
	if err != nil || u.Host == "" {
		return "", fmt.Errorf("hub URL %q is not a URL like http://127.0.0.1:7200", hub)
	}
	switch u.Scheme {
	case "http", "ws":
		u.Scheme = "ws"
	case "https", "wss":
		u.Scheme = "wss"
	default:
		return "", fmt.Errorf("hub URL %q must start with http:// or https://", hub)
	}
	u.Path += "/ws/wrap"
	return u.String(), nil
}

func (st *streamer) setSize(cols, rows int) {
	st.mu.Lock()
	st.start.Cols, st.start.Rows = cols, rows
	st.mu.Unlock()
}

// retryNow ends a wait between connection attempts, so that a wrap whose
// program has exited tries the hub once more at once instead of after the
// backoff. Under the lock that run uses, so working never misses it.
func (st *streamer) retryNow() {
	st.mu.Lock()
	defer st.mu.Unlock()
	select {
	case st.kick <- struct{}{}:
		st.busy = true
	default:
	}
}

// working reports whether a connection is up or being made: false means
// the last attempt failed and the next is a backoff away.
func (st *streamer) working() bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.busy
}

func (st *streamer) everConnected() bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.ever
}

// brief shortens a connection error to what a person needs on one line
// ("connection refused"), not the dialer's whole chain of wrappers.
func brief(err error) string {
	var dns *net.DNSError
	var op *net.OpError
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, syscall.ECONNRESET):
		return "connection lost"
	case errors.As(err, &dns):
		return "no such host " + dns.Name
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, os.ErrDeadlineExceeded):
		return "timed out"
	case errors.As(err, &op):
		return op.Err.Error()
	}
	s := err.Error()
	if len(s) > 100 {
		s = s[:97] + "..."
	}
	return s
}

func (st *streamer) status() (bool, error) {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.connected, st.lastErr
}

// run connects and reconnects until ctx ends.
func (st *streamer) run(ctx context.Context) {
	wait := backoffMin
	for {
		began := time.Now()
		st.mu.Lock()
		st.busy = true
		st.mu.Unlock()
		err := st.session(ctx)
		st.mu.Lock()
		st.connected = false
		st.busy = len(st.kick) > 0 // a retry is asked for: it starts at once
		if err != nil && ctx.Err() == nil {
			st.lastErr = err
		}
		st.mu.Unlock()
		st.once.Do(func() { close(st.attempted) })
		if ctx.Err() != nil {
			return
		}
		if time.Since(began) > backoffMax {
			wait = backoffMin // it was a working connection, not a failing one
		}
		jitter := time.Duration(float64(wait) * (0.8 + 0.4*rand.Float64()))
		select {
		case <-ctx.Done():
			return
		case <-time.After(jitter):
		case <-st.kick:
		}
		wait = min(wait*2, backoffMax)
	}
}

// session runs one connection: handshake, then send and receive until error.
func (st *streamer) session(ctx context.Context) error {
	dialCtx, cancelDial := context.WithTimeout(ctx, 10*time.Second)
	defer cancelDial()
	hdr := http.Header{}
	if st.token != "" {
		hdr.Set("Authorization", "Bearer "+st.token)
	}
	c, resp, err := websocket.Dial(dialCtx, st.wsURL, &websocket.DialOptions{HTTPHeader: hdr})
	if err != nil {
		if resp != nil && resp.StatusCode >= 400 {
			why := ""
			if resp.Body != nil {
				b, _ := io.ReadAll(io.LimitReader(resp.Body, 300))
				why = strings.TrimSpace(string(b))
			}
			if resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden {
				why += " (run ct login --hub URL on this machine, or pass --token / CT_TOKEN)"
			}
			return fmt.Errorf("hub refused the connection: %s: %s", resp.Status, why)
		}
		return err
	}
	defer c.CloseNow()
	c.SetReadLimit(wire.MaxFrame)

	hello, _ := wire.New(wire.TypeNodeHello, st.hello)
	st.mu.Lock()
	start, _ := wire.New(wire.TypeSessionStart, st.start)
	st.mu.Unlock()
	start.SessionID = st.sessionID
	for _, e := range []wire.Envelope{hello, start} {
		if err := write(ctx, c, e); err != nil {
			return err
		}
	}
	ack, err := read(ctx, c)
	if err != nil {
		return err
	}
	if ack.Type == wire.TypeError {
		var m wire.Error
		_ = ack.Decode(&m)
		return fmt.Errorf("hub refused the session: %s", m.Message)
	}
	var sa wire.SessionAck
	if ack.Type != wire.TypeSessionAck || ack.Decode(&sa) != nil {
		return fmt.Errorf("hub answered %s instead of %s", ack.Type, wire.TypeSessionAck)
	}
	st.sp.rewind(sa.Seq)
	for drained := false; !drained; { // prompts of an earlier connection are void
		select {
		case <-st.urgent:
		default:
			drained = true
		}
	}
	st.mu.Lock()
	st.connected, st.ever, st.lastErr = true, true, nil
	st.mu.Unlock()
	st.once.Do(func() { close(st.attempted) })
	if st.plugin != nil {
		st.plugin.Connected(true)
		defer st.plugin.Connected(false)
	}

	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	go func() {
		for {
			e, ok := st.nextToSend(ctx)
			if !ok {
				return
			}
			if err := write(ctx, c, e); err != nil {
				cancel(err)
				return
			}
		}
	}()
	for {
		e, err := read(ctx, c)
		if err != nil {
			if ctx.Err() != nil {
				// The session is over (or wrap is exiting): say goodbye properly.
				_ = c.Close(websocket.StatusNormalClosure, "session over")
			}
			if cause := context.Cause(ctx); cause != nil && !errors.Is(cause, context.Canceled) {
				return cause
			}
			return err
		}
		switch e.Type {
		case wire.TypeAck:
			st.sp.ack(e.Seq)
		case wire.TypePtyInput:
			st.onInput(append([]byte(nil), e.Data...))
		case wire.TypePtyResize:
			var r wire.Resize
			if e.Decode(&r) == nil {
				st.onResize(r.Cols, r.Rows)
			}
		case wire.TypeError:
			var m wire.Error
			_ = e.Decode(&m)
			return fmt.Errorf("hub: %s", m.Message)
		default:
			if st.plugin != nil {
				st.plugin.HubEnvelope(e)
			}
		}
	}
}

// nextToSend returns the next envelope for the hub: unsequenced ones first
// (a prompt must not queue behind megabytes of output), then the spool.
func (st *streamer) nextToSend(ctx context.Context) (wire.Envelope, bool) {
	for {
		select {
		case e := <-st.urgent:
			return e, true
		default:
		}
		if e, ok := st.sp.tryNext(); ok {
			return e, true
		}
		select {
		case <-ctx.Done():
			return wire.Envelope{}, false
		case e := <-st.urgent:
			return e, true
		case <-st.sp.wake:
		}
	}
}

func write(ctx context.Context, c *websocket.Conn, e wire.Envelope) error {
	b, err := wire.Marshal(e)
	if err != nil {
		return err
	}
	return c.Write(ctx, websocket.MessageBinary, b)
}

func read(ctx context.Context, c *websocket.Conn) (wire.Envelope, error) {
	_, b, err := c.Read(ctx)
	if err != nil {
		return wire.Envelope{}, err
	}
	return wire.Unmarshal(b)
}
