package main

import (
	"context"
	"testing"
	"time"

	"github.com/ct-dev/ct/wire"
)

// A simulated wrap sends every line the writer program would, in frames
// of increasing seq no larger than a wrap's.
func TestSimWritesEveryLine(t *testing.T) {
	cfg := config{rate: 50_000, line: 100, duration: 200 * time.Millisecond, tick: 10 * time.Millisecond}
	var got int
	var last uint64
	send := func(_ context.Context, e wire.Envelope) error {
		if e.Seq != last+1 || e.Type != wire.TypePtyOutput || len(e.Data) > 64<<10 {
			t.Fatalf("frame seq %d (after %d), type %s, %d bytes", e.Seq, last, e.Type, len(e.Data))
		}
		last, got = e.Seq, got+len(e.Data)
		return nil
	}
	s := &simWrap{}
	if _, err := s.write(context.Background(), send, cfg, "sid"); err != nil {
		t.Fatal(err)
	}
	if want := totalLines(cfg.rate, cfg.duration, cfg.line) * (cfg.line + 1); got != want {
		t.Fatalf("sent %d bytes, want %d (every line, \\r\\n-terminated)", got, want)
	}
}

// With -hub (the load generator alone) a simulated wrap still generates its
// whole output, into nothing, rather than failing its dial and idling.
func TestSimAloneGenerates(t *testing.T) {
	cfg := config{rate: 50_000, line: 100, duration: 100 * time.Millisecond, tick: 10 * time.Millisecond}
	s := startSimAlone(context.Background(), cfg, time.Now())
	select {
	case <-s.done:
	case <-time.After(10 * time.Second):
		t.Fatal("the generator alone never finished")
	}
	if s.err != nil {
		t.Fatal(s.err)
	}
}
