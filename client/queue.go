package client

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// change sends a message or todo change, queueing it when the hub is away
// (after delivering anything queued before, so order holds). It reports
// queued=true when the change waits in the outbox. Without an outbox it is
// a plain call.
func (c *Client) change(ctx context.Context, method, path string, body, out any) (queued bool, err error) {
	if c.outbox == nil {
		return false, c.do(ctx, method, path, body, out)
	}
	if err := c.Flush(ctx); err != nil {
		if !errors.Is(err, ErrHubAway) {
			return false, err
		}
		return true, c.outbox.add(method, path, body) // behind older queued changes
	}
	err = c.do(ctx, method, path, body, out)
	if errors.Is(err, ErrHubAway) {
		return true, c.outbox.add(method, path, body)
	}
	return false, err
}

// Flush delivers queued changes in order; it stops at the first one the
// hub cannot take delivery of (ErrHubAway). A change the hub refuses (an
// APIError) is dropped with a note, so one bad entry does not block the
// rest forever. There is no idempotency key yet: a process killed after
// the hub took an entry but before the outbox was rewritten sends that
// entry again next time.
func (c *Client) Flush(ctx context.Context) error {
	if c.outbox == nil {
		return nil
	}
	return c.outbox.drain(func(e outboxEntry) error {
		err := c.do(ctx, e.Method, e.Path, e.Body, nil)
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
