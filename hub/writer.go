package hub

import (
	"context"
	"log/slog"
	"time"

	"github.com/ct-dev/ct/db"
	"github.com/ct-dev/ct/wire"
)

// Batching of durable writes: one bbolt transaction (one fsync) carries every
// event that arrived within batchWait of the first, up to batchBytes.
const (
	batchWait  = 20 * time.Millisecond
	batchBytes = 512 << 10
	// queueLen bounds events waiting for the writer; when full, wrap read
	// loops block, TCP pushes back, and the wraps' spools absorb it.
	queueLen = 256
)

// writer is the single goroutine that makes events durable, then acks them.
type writer struct {
	store  *db.Store
	log    *slog.Logger
	in     chan wire.Envelope
	done   chan struct{}
	commit func(acked map[string]uint64, batch []wire.Envelope)
	fail   func(sessionID string)
}

func newWriter(store *db.Store, log *slog.Logger, commit func(map[string]uint64, []wire.Envelope), fail func(string)) *writer {
	w := &writer{store: store, log: log, in: make(chan wire.Envelope, queueLen), done: make(chan struct{}), commit: commit, fail: fail}
	go w.run()
	return w
}

func (w *writer) run() {
	defer close(w.done)
	for first := range w.in {
		batch := []wire.Envelope{first}
		size := len(first.Data)
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
			case <-deadline.C:
				break gather
			}
		}
		deadline.Stop()
		acked, err := w.store.AppendEvents(batch)
		if err != nil {
			// Not acked: the wraps keep the events and resend them after a reconnect.
			w.log.Error("store events", "events", len(batch), "error", err)
			failed := map[string]bool{}
			for _, e := range batch {
				if !failed[e.SessionID] {
					failed[e.SessionID] = true
					w.fail(e.SessionID)
				}
			}
			continue
		}
		w.commit(acked, batch)
	}
}

// close waits for queued events to be stored. Senders must have stopped.
func (w *writer) close(ctx context.Context) error {
	close(w.in)
	select {
	case <-w.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
