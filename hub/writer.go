package hub

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/ct-dev/ct/db"
	"github.com/ct-dev/ct/wire"
)

// Batching of durable writes: one bbolt transaction (one fsync) carries every
// event that arrived within batchWait of the first, up to batchBytes. In a
// flood the queue fills while a commit's fsync runs, so the next batch is
// whatever waits: batchBytes bounds how much one commit carries, and at
// 4 MiB a flood costs ~0.25 commits per MiB instead of 2 (issue 17.2: fewer
// fsyncs; a 4 MiB transaction is still a few milliseconds of writing).
const (
	batchWait  = 20 * time.Millisecond
	batchBytes = 4 << 20
	// Output that trickles in (a keystroke's echo, a spinner's frame) waits
	// up to trickleWait for company while its batch is output alone and
	// under trickleBytes. Typing at human speed was one commit (two
	// fdatasyncs) per keystroke: a quarter of the hub's CPU per keystroke,
	// and each sync's blocking system call set the Go runtime's monitor
	// polling every 20 µs again (issue 17.1). Nothing waits for these
	// commits but the wrap's ack, which frees its spool: the screen had the
	// bytes before the writer (readLoop), and a batch with anything else (a
	// transcript entry, the session's end) commits after batchWait as before.
	trickleWait  = 200 * time.Millisecond
	trickleBytes = 4 << 10
	// queueLen bounds events waiting for the writer; when full, wrap read
	// loops block, TCP pushes back, and the wraps' spools absorb it.
	queueLen = 256
	// A batch the store could not take (a full or failing disk) is tried
	// again after retryMin, doubling up to retryMax: quick to recover once
	// space returns, and a failing disk is not hammered.
	retryMin = 50 * time.Millisecond
	retryMax = 2 * time.Second
)

// appender is the one store call the writer makes. The hub passes its
// *db.Store; tests pass one whose writes fail on demand.
type appender interface {
	AppendEvents([]wire.Envelope) (map[string]uint64, error)
}

// writer is the single goroutine that makes events durable, then acks them.
// A batch that fails for a reason of the disk is kept and retried until it
// is stored, so nothing received is ever dropped in the hub and the
// received and durable marks only move forward; while it retries, the
// queue fills, the wraps' read loops block and the wraps keep their spools.
type writer struct {
	app    appender
	log    *slog.Logger
	in     chan wire.Envelope
	done   chan struct{}
	quit   chan struct{} // closed when close gives up: abandon a retrying batch
	commit func(acked map[string]uint64, batch []wire.Envelope)
	fail   func(sessionID string) // events of this session can never be stored as sent
	status func(failing error)    // storing started failing (err) or recovered (nil)
	health healthState
	linger time.Duration // trickleWait; tests set their own (newWriterLinger)
}

func newWriter(app appender, log *slog.Logger, commit func(map[string]uint64, []wire.Envelope), fail func(string), status func(error)) *writer {
	return newWriterLinger(app, log, commit, fail, status, trickleWait)
}

// newWriterLinger is newWriter with trickling output waiting up to linger.
func newWriterLinger(app appender, log *slog.Logger, commit func(map[string]uint64, []wire.Envelope), fail func(string), status func(error), linger time.Duration) *writer {
	w := &writer{app: app, log: log, in: make(chan wire.Envelope, queueLen), done: make(chan struct{}), quit: make(chan struct{}),
		commit: commit, fail: fail, status: status, linger: linger}
	go w.run()
	return w
}

func (w *writer) run() {
	defer close(w.done)
	for first := range w.in {
		batch := []wire.Envelope{first}
		size := len(first.Data)
		output := first.Type == wire.TypePtyOutput // the batch is output alone
		start := time.Now()
		deadline := time.NewTimer(batchWait)
	gather:
		for size < batchBytes {
			select {
			case r, ok := <-w.in:
				if !ok {
					break gather
				}
				batch = append(batch, r)
				size += len(r.Data)
				output = output && r.Type == wire.TypePtyOutput
				if time.Since(start) >= batchWait && !trickle(output, size) {
					break gather // it waited for company long enough
				}
			case now := <-deadline.C:
				if left := w.linger - now.Sub(start); left > 0 && trickle(output, size) {
					deadline.Reset(left)
					continue
				}
				break gather
			}
		}
		deadline.Stop()
		if !w.store(batch) {
			w.health.abandon(len(batch) + len(w.in))
			return
		}
	}
}

// trickle reports whether a batch of size bytes, output alone or not, may
// wait for more (trickleWait).
func trickle(outputAlone bool, size int) bool { return outputAlone && size < trickleBytes }

// store writes one batch, retrying with backoff while the store fails. It
// returns false only when close gave up waiting.
func (w *writer) store(batch []wire.Envelope) bool {
	for delay := retryMin; ; delay = min(2*delay, retryMax) {
		acked, err := w.app.AppendEvents(batch)
		if err == nil {
			if w.health.ok() {
				w.log.Info("store writes work again", "events", len(batch))
				w.status(nil)
			}
			w.commit(acked, batch)
			return true
		}
		if db.IsUnstorable(err) {
			w.storeApart(batch, err)
			return true
		}
		if w.health.failed(err) {
			w.log.Error("store writes failing; keeping the events and retrying (free disk space where --data lives)",
				"events", len(batch), "error", err)
			w.status(err)
		}
		select {
		case <-time.After(delay):
		case <-w.quit:
			return false
		}
	}
}

// storeApart stores a batch that held an event the store can never take
// (not a disk fault) one session at a time, so one session's bad event
// costs the other sessions nothing. The failing session's wrap is dropped
// and resends from what is durable.
func (w *writer) storeApart(batch []wire.Envelope, cause error) {
	var order []string
	groups := map[string][]wire.Envelope{}
	for _, e := range batch {
		if _, ok := groups[e.SessionID]; !ok {
			order = append(order, e.SessionID)
		}
		groups[e.SessionID] = append(groups[e.SessionID], e)
	}
	for _, sid := range order {
		acked, err := w.app.AppendEvents(groups[sid])
		if err != nil {
			w.log.Error("store events", "session", sid, "events", len(groups[sid]), "error", err, "batch_error", cause)
			w.fail(sid)
			continue
		}
		w.commit(acked, groups[sid])
	}
}

// close waits for queued events to be stored. Senders must have stopped.
// When ctx ends first (the store is failing), it says how many events were
// not stored, so ct serve exits with an error instead of 0.
func (w *writer) close(ctx context.Context) error {
	close(w.in)
	select {
	case <-w.done:
		return nil
	case <-ctx.Done():
	}
	close(w.quit)
	<-w.done // store returns at once on quit
	lost, last := w.health.lost()
	if lost == 0 {
		return nil
	}
	return fmt.Errorf("%d received events were not stored before shutdown (%v); the wraps keep them and resend them to the next ct serve, once the disk has space", lost, last)
}

// healthState is what /healthz and metrics say about store writes.
type healthState struct {
	mu        sync.Mutex // written by the writer goroutine, read by requests
	err       error      // nil: the last write worked
	since     time.Time  // when writes started failing
	failures  uint64     // failed write attempts since start
	abandoned int        // events given up at shutdown
}

// failed records a failed attempt; true when writes were fine before.
func (h *healthState) failed(err error) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.failures++
	first := h.err == nil
	if first {
		h.since = time.Now()
	}
	h.err = err
	return first
}

// ok records a write that worked; true when writes were failing before.
func (h *healthState) ok() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	was := h.err != nil
	h.err = nil
	return was
}

func (h *healthState) abandon(n int) {
	h.mu.Lock()
	h.abandoned += n
	h.mu.Unlock()
}

func (h *healthState) lost() (int, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	err := h.err
	if err == nil {
		err = errors.New("the store was slow")
	}
	return h.abandoned, err
}

// StoreHealth says whether the hub can write its store now.
type StoreHealth struct {
	Err      error     // nil: writes work
	Since    time.Time // when writes started failing
	Failures uint64    // failed write attempts since ct serve started
}

func (h *healthState) get() StoreHealth {
	h.mu.Lock()
	defer h.mu.Unlock()
	return StoreHealth{Err: h.err, Since: h.since, Failures: h.failures}
}
