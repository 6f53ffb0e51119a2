package hub

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/ct-dev/ct/wire"
)

// A keystroke with nothing queued before it is written to the wrap by the
// request that brought it, not by sendLoop; one with something queued
// (here a stop, which must reach the wrap first) waits behind it, and
// sendLoop writes both in order.
func TestInputSkipsTheQueueOnlyWhenEmpty(t *testing.T) {
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	tr := newTransport()
	c := &wrapConn{session: "s", out: make(chan wire.Envelope, inputQueue), ackWake: make(chan struct{}, 1), t: tr, ctx: ctx, cancel: cancel}
	input := func(s string) wire.Envelope {
		e, _ := wire.New(wire.TypePtyInput, nil)
		e.SessionID, e.Data = "s", []byte(s)
		return e
	}
	// No sendLoop yet: only a direct write can reach the transport.
	if err := c.sendInput(input("a")); err != nil {
		t.Fatal(err)
	}
	select {
	case e := <-tr.fromHub:
		if string(e.Data) != "a" {
			t.Fatalf("wrap got %q, want the keystroke", e.Data)
		}
	default:
		t.Fatal("a keystroke with an empty queue was not written at once")
	}
	stop, _ := wire.New(wire.TypeSessionStop, wire.SessionStop{By: "ann"})
	if err := c.send(stop); err != nil {
		t.Fatal(err)
	}
	if err := c.sendInput(input("b")); err != nil {
		t.Fatal(err)
	}
	select {
	case e := <-tr.fromHub:
		t.Fatalf("the keystroke went before the queued stop: wrap got %s %q first", e.Type, e.Data)
	default:
	}
	c.queued.Add(1) // as ServeWrap counts the greeting sendLoop writes first
	loopCtx, stopLoop := context.WithCancel(ctx)
	looped := make(chan struct{})
	go func() { c.sendLoop(loopCtx, tr, nil); close(looped) }()
	if e := tr.recv(t, ""); e.Type != wire.TypeSessionStop {
		t.Fatalf("first from the queue: %s, want the stop", e.Type)
	}
	if e := tr.recv(t, ""); e.Type != wire.TypePtyInput || string(e.Data) != "b" {
		t.Fatalf("second from the queue: %s %q, want the keystroke", e.Type, e.Data)
	}
	stopLoop()
	<-looped // every write it made is counted by now
	if n := c.queued.Load(); n != 0 {
		t.Fatalf("queued = %d after everything was written, want 0", n)
	}
	// The queue drained: the next keystroke is direct again (no sendLoop runs).
	if err := c.sendInput(input("c")); err != nil {
		t.Fatal(err)
	}
	select {
	case e := <-tr.fromHub:
		if string(e.Data) != "c" {
			t.Fatalf("after the queue drained: %q", e.Data)
		}
	default:
		t.Fatal("after the queue drained, a keystroke was not written at once")
	}
	// A connection that ended refuses what would only be queued.
	cancel(nil)
	if err := c.sendWait(input("d"), time.Hour); !errors.Is(err, ErrOffline) {
		t.Fatalf("input queued to an ended connection: %v, want ErrOffline", err)
	}
}
