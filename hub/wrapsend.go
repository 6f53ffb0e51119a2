package hub

import (
	"context"
	"time"

	"github.com/ct-dev/ct/wire"
)

// Sending to a wrap. Everything for the wrap but a keystroke goes through
// the queue (out) that sendLoop writes, acks coalesced beside it. Input is
// written straight from the request that brought it when nothing queued is
// waiting (sendInput): a keystroke's hop through sendLoop was ~0.1 ms of
// its echo on an idle box and ~0.2-0.4 ms after a pause (issue 17.1,
// traced), every goroutine wake-up costing more the colder the core. Order
// is kept: queued counts what was given to out and is not yet written
// (decremented under wmu after its write), so a decision, a stop or a file
// chunk queued before a keystroke is on the wire before it.

// send queues an envelope for the wrap without blocking.
func (c *wrapConn) send(e wire.Envelope) error {
	c.queued.Add(1) // before it is in out: a direct write must see it
	select {
	case c.out <- e:
		return nil
	default:
		c.queued.Add(-1)
		return ErrBusy
	}
}

// sendWait is send that waits up to d for room in the wrap's queue; a
// connection that ended takes nothing (input is never reported sent to it).
func (c *wrapConn) sendWait(e wire.Envelope, d time.Duration) error {
	if c.ctx.Err() != nil {
		return ErrOffline
	}
	if c.send(e) == nil {
		return nil
	}
	c.queued.Add(1)
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case c.out <- e:
		return nil
	case <-t.C:
		c.queued.Add(-1)
		return ErrBusy
	case <-c.ctx.Done():
		c.queued.Add(-1)
		return ErrOffline
	}
}

// sendInput writes input to the wrap now when nothing queued must go first
// and no write is under way, else queues it behind (sendWait: a write that
// is stuck on a full TCP window holds wmu, and input then gets ErrBusy after
// inputWait as it always did, never a wait without end). A direct write
// that fails or takes over inputWait ends the connection: the input is
// refused as offline, never reported sent.
func (c *wrapConn) sendInput(e wire.Envelope) error {
	if !c.wmu.TryLock() {
		return c.sendWait(e, inputWait)
	}
	if c.queued.Load() > 0 {
		c.wmu.Unlock()
		return c.sendWait(e, inputWait)
	}
	ctx, cancel := context.WithTimeout(c.ctx, inputWait)
	err := c.t.Write(ctx, e)
	cancel()
	c.wmu.Unlock()
	if err != nil {
		c.fail("write to wrap: " + err.Error())
		return ErrOffline
	}
	return nil
}

// sendLoop writes the greeting, then the queue and acks to the wrap; acks
// coalesce to the latest.
func (c *wrapConn) sendLoop(ctx context.Context, t Transport, greeting []wire.Envelope) {
	c.wmu.Lock()
	for _, e := range greeting {
		if err := t.Write(ctx, e); err != nil {
			c.wmu.Unlock()
			c.fail("write to wrap: " + err.Error())
			return
		}
	}
	c.queued.Add(-1) // the greeting is out (ServeWrap counted it)
	c.wmu.Unlock()
	var sentAck uint64
	for {
		var e wire.Envelope
		queued := false
		select {
		case <-ctx.Done():
			return
		case e = <-c.out:
			queued = true
		case <-c.ackWake:
			seq := c.ack.Load()
			if seq == sentAck {
				continue
			}
			sentAck = seq
			e, _ = wire.New(wire.TypeAck, nil)
			e.Seq, e.SessionID = seq, c.session
		}
		c.wmu.Lock()
		err := t.Write(ctx, e)
		if queued {
			c.queued.Add(-1)
		}
		c.wmu.Unlock()
		if err != nil {
			c.fail("write to wrap: " + err.Error())
			return
		}
	}
}
