package ptywrap

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/ct-dev/ct/wire"
	"github.com/ct-dev/ct/wsdial"
)

// streamer keeps one outbound WebSocket to the hub for one session, and
// replays the spool after each reconnect.
type streamer struct {
	wsURL     string
	token     string
	hello     wire.Hello
	sessionID string
	sp        *spool
	onInput   func([]byte) // must copy what it keeps: the bytes alias the socket's buffer
	onResize  func(cols, rows int)
	onStop    func(wire.SessionStop) // a person asked to end the program (stop.go); must not block
	plugin    Plugin                 // may be nil
	urgent    chan wire.Envelope     // unsequenced envelopes (prompts), sent before output
	files     Files                  // shared directories; nil: none
	fileSlots chan struct{}          // cap fileReaders: shared-file requests being answered
	attach    *attachSink            // files the hub's composer sends (attach.put)

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
	refusedMsg string      // the hub keeps only the size of some output (ingest.refused)
	gitBusy    atomic.Bool // a git.request is running: one at a time
}

// WSURL turns a hub URL (http or https) into the wrap's WebSocket endpoint.
func WSURL(hub string) (string, error) { return wsdial.URL(hub, "/ws/wrap") }

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

// identity is what the streamer says of itself on every connect.
func (st *streamer) identity() (wire.Hello, wire.SessionStart) {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.hello, st.start
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

// firstAttempt waits up to d for the first connection attempt to end and
// reports the status then.
func (st *streamer) firstAttempt(d time.Duration) (bool, error) {
	select {
	case <-st.attempted:
	case <-time.After(d):
	}
	return st.status()
}

// run connects and reconnects until ctx ends.
func (st *streamer) run(ctx context.Context) {
	attempt := func(ctx context.Context) error {
		st.mu.Lock()
		st.busy = true
		st.mu.Unlock()
		return st.session(ctx)
	}
	wsdial.Redial(ctx, st.kick, attempt, func(err error) {
		st.mu.Lock()
		st.connected = false
		st.busy = len(st.kick) > 0 // a retry is asked for: it starts at once
		if err != nil && ctx.Err() == nil {
			st.lastErr = err
		}
		st.mu.Unlock()
		st.once.Do(func() { close(st.attempted) })
	})
}

// session runs one connection: handshake, then send and receive until error.
func (st *streamer) session(ctx context.Context) error {
	hello, _ := wire.New(wire.TypeNodeHello, st.hello)
	st.mu.Lock()
	start, _ := wire.New(wire.TypeSessionStart, st.start)
	st.mu.Unlock()
	start.SessionID = st.sessionID
	var sa wire.SessionAck
	c, _, err := wsdial.Dial(ctx, st.wsURL, st.token, wsdial.Handshake{
		Send: []wire.Envelope{hello, start}, Want: wire.TypeSessionAck, What: "session", Into: &sa})
	if err != nil {
		return err
	}
	defer c.CloseNow()
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
	// Sending runs beside the read loop so acks and input keep flowing
	// while megabytes of output go out.
	go func() {
		var f flood // the output rate, for coalescing a flood's frames (coalesce.go)
		for {
			e, ok := st.nextToSend(ctx, &f)
			if !ok {
				return
			}
			if err := c.Write(ctx, e); err != nil {
				cancel(err)
				return
			}
			if e.Type == wire.TypePtyOutput {
				f.sent(time.Now(), len(e.Data))
			}
		}
	}()
	for {
		e, err := c.Read(ctx)
		if err != nil {
			if ctx.Err() != nil {
				// The session is over (or wrap is exiting): say goodbye properly.
				c.Close("session over")
			}
			if cause := context.Cause(ctx); cause != nil && !errors.Is(cause, context.Canceled) {
				return cause
			}
			return err
		}
		if err := st.received(e); err != nil {
			return err
		}
	}
}

// received handles one envelope from the hub; an error ends the connection.
func (st *streamer) received(e wire.Envelope) error {
	switch e.Type {
	case wire.TypeAck:
		st.sp.ack(e.Seq)
	case wire.TypePtyInput:
		st.onInput(e.Data) // it copies what it keeps (inputQueue.push)
	case wire.TypePtyResize:
		var r wire.Resize
		if e.Decode(&r) == nil {
			st.onResize(r.Cols, r.Rows)
		}
	case wire.TypeFilesList, wire.TypeFilesGet:
		st.answerFiles(e)
	case wire.TypeSessionStop:
		var m wire.SessionStop
		if e.Decode(&m) == nil && st.onStop != nil {
			st.onStop(m)
		}
	case wire.TypeIngestRefused:
		// Not shown now (it would scribble over the program's screen):
		// said once at exit, by report.
		var m wire.IngestRefused
		if e.Decode(&m) == nil {
			st.mu.Lock()
			if st.refusedMsg == "" {
				st.refusedMsg = m.Message
			}
			st.mu.Unlock()
		}
	case wire.TypeAttachPut:
		// Written here, on the read goroutine: a chunk is at most 512 KB
		// and chunks must land in order.
		if d := st.attach.put(e); d != nil {
			r, _ := wire.New(wire.TypeAttachDone, *d)
			_ = st.sendUrgent(r) // if it cannot go, the hub times out and says to send again
		}
	case wire.TypeStoreFailing:
		// Not an ack and not an error: the hub's disk cannot take events
		// now. Every unacknowledged event stays in the spool (bounded; an
		// overflow is counted as pty.dropped) and the hub stores it once it
		// can, on this connection or the next.
	case wire.TypeGitRequest:
		st.gitRequest(e)
	case wire.TypeError:
		var m wire.Error
		_ = e.Decode(&m)
		return fmt.Errorf("hub: %s", m.Message)
	default:
		if st.plugin != nil {
			st.plugin.HubEnvelope(e)
		}
	}
	return nil
}

// nextToSend returns the next envelope for the hub: unsequenced ones first
// (a prompt must not queue behind megabytes of output), then the spool.
func (st *streamer) nextToSend(ctx context.Context, f *flood) (wire.Envelope, bool) {
	for {
		select {
		case e := <-st.urgent:
			return e, true
		default:
		}
		if e, urgent, ok := st.coalesce(ctx, f); !ok || urgent {
			return e, ok
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
