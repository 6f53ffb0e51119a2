package client

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"time"
)

// change sends a message or todo change, queueing it when the hub is away
// (after delivering anything queued before, so order holds). It reports
// queued=true when the change waits in the outbox. Without an outbox it is
// a plain call.
//
// Every change carries one idempotency key, on the direct attempt and on
// every resend from the outbox: an attempt that timed out after the hub
// took it is answered, when sent again, with the first result.
func (c *Client) change(ctx context.Context, method, path string, body, out any) (queued bool, err error) {
	key := newIdempotencyKey()
	if c.outbox == nil {
		return false, c.call(ctx, method, path, key, body, out)
	}
	if err := c.Flush(ctx); err != nil {
		if !errors.Is(err, ErrHubAway) {
			return false, err
		}
		return true, c.outbox.add(method, path, key, body) // behind older queued changes
	}
	err = c.call(ctx, method, path, key, body, out)
	if errors.Is(err, ErrHubAway) {
		return true, c.outbox.add(method, path, key, body)
	}
	return false, err
}

// newIdempotencyKey is 128 random bits in hex.
func newIdempotencyKey() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand never fails on supported systems
	return hex.EncodeToString(b[:])
}

// Flush delivers queued changes in order; it stops at the first one the
// hub cannot take delivery of (ErrHubAway). A change the hub refuses (an
// APIError) is dropped with a note, so one bad entry does not block the
// rest forever. A process killed after the hub took an entry but before
// the outbox was rewritten sends that entry again next time; entries carry an idempotency key, so the hub
// answers that repeat with its first result and changes nothing.
func (c *Client) Flush(ctx context.Context) error {
	if c.outbox == nil {
		return nil
	}
	return c.outbox.drain(func(e outboxEntry) error {
		err := c.call(ctx, e.Method, e.Path, e.Key, e.Body, nil)
		var ae *APIError
		if errors.As(err, &ae) {
			fmt.Fprintf(c.notes, "ct: a queued change (%s %s from %s) was refused by the hub: %s\n", e.Method, e.Path, e.QueuedAt.Format(time.RFC3339), ae.Msg)
			return nil
		}
		if err == nil {
			fmt.Fprintf(c.notes, "ct: delivered a queued change (%s %s from %s)\n", e.Method, e.Path, e.QueuedAt.Format(time.RFC3339))
		}
		return err
	})
}

// Queued reports how many changes wait in the outbox.
func (c *Client) Queued() int {
	if c.outbox == nil {
		return 0
	}
	return c.outbox.Len()
}
