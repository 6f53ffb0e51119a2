package hub

import (
	"context"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/ct-dev/ct/wire"
)

// gatedApp is a store whose first append waits for gate: the events sent
// meanwhile queue up, as they do behind a commit's fsync in a flood.
type gatedApp struct {
	gate  chan struct{}
	first sync.Once
	mu    sync.Mutex
	sizes []int // bytes per append: one per commit
}

func (g *gatedApp) AppendEvents(b []wire.Envelope) (map[string]uint64, error) {
	g.first.Do(func() { <-g.gate })
	n := 0
	for _, e := range b {
		n += len(e.Data)
	}
	g.mu.Lock()
	g.sizes = append(g.sizes, n)
	g.mu.Unlock()
	return map[string]uint64{}, nil
}

// TestFloodFewCommits: output queued behind a commit is stored in batches
// of up to batchBytes (issue 17.2: fewer fsyncs on floods): 12.5 MiB in at
// most 4 commits, not one per 512 KiB.
func TestFloodFewCommits(t *testing.T) {
	app := &gatedApp{gate: make(chan struct{})}
	w := newWriter(app, slog.New(slog.DiscardHandler), func(map[string]uint64, []wire.Envelope) {}, func(string) {}, func(error) {})
	frame := make([]byte, 64<<10)
	w.in <- wire.Envelope{Type: wire.TypePtyOutput, Seq: 1, Data: frame} // taken at once; its append waits
	const queued = 200                                                   // 12.5 MiB, under queueLen
	for i := range queued {
		w.in <- wire.Envelope{Type: wire.TypePtyOutput, Seq: uint64(i + 2), Data: frame}
	}
	close(app.gate)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := w.close(ctx); err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, n := range app.sizes {
		total += n
	}
	if total != (queued+1)*len(frame) {
		t.Fatalf("stored %d bytes, want %d", total, (queued+1)*len(frame))
	}
	if commits := len(app.sizes) - 1; commits > 4 {
		t.Fatalf("%d MiB queued behind a commit took %d commits (%v bytes each); want at most 4", queued*len(frame)>>20, commits, app.sizes[1:])
	}
}

// countingApp records each append's events: one entry per commit.
type countingApp struct {
	mu      sync.Mutex
	batches [][]wire.Envelope
}

func (c *countingApp) AppendEvents(b []wire.Envelope) (map[string]uint64, error) {
	c.mu.Lock()
	c.batches = append(c.batches, b)
	c.mu.Unlock()
	return map[string]uint64{}, nil
}

// TestTypingEchoesShareCommits: echoes arriving 40 ms apart (typing) wait
// for each other and are stored in one commit (the writer's linger), not
// one each; an event other than output ends the wait: with a linger of an
// hour, the commit comes at once.
func TestTypingEchoesShareCommits(t *testing.T) {
	app := &countingApp{}
	committed := make(chan []wire.Envelope, 8)
	w := newWriterLinger(app, slog.New(slog.DiscardHandler), func(_ map[string]uint64, b []wire.Envelope) { committed <- b }, func(string) {}, func(error) {}, time.Hour)
	for i := range 3 {
		w.in <- wire.Envelope{Type: wire.TypePtyOutput, SessionID: "s", Seq: uint64(i + 1), Data: []byte("k")}
		time.Sleep(40 * time.Millisecond) // a keystroke's gap, twice batchWait
	}
	select {
	case b := <-committed:
		t.Fatalf("%d echoes committed before anything else came; want them to wait", len(b))
	default:
	}
	w.in <- wire.Envelope{Type: wire.TypeSessionEnd, SessionID: "s", Seq: 4}
	select {
	case b := <-committed:
		if len(b) != 4 {
			t.Fatalf("first commit held %d events; want the 3 echoes and the end together", len(b))
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the session's end waited out the echoes' linger")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := w.close(ctx); err != nil {
		t.Fatal(err)
	}
	if len(app.batches) != 1 {
		t.Fatalf("%d commits for 3 echoes and an end; want 1", len(app.batches))
	}
}

// TestTrickleCommitsWhenItsLingerEnds: output alone still commits when its
// linger runs out, with nothing else arriving.
func TestTrickleCommitsWhenItsLingerEnds(t *testing.T) {
	committed := make(chan []wire.Envelope, 1)
	w := newWriterLinger(&countingApp{}, slog.New(slog.DiscardHandler), func(_ map[string]uint64, b []wire.Envelope) { committed <- b }, func(string) {}, func(error) {}, 50*time.Millisecond)
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = w.close(ctx)
	}()
	w.in <- wire.Envelope{Type: wire.TypePtyOutput, SessionID: "s", Seq: 1, Data: []byte("k")}
	select {
	case b := <-committed:
		if len(b) != 1 {
			t.Fatalf("committed %d events, want the one echo", len(b))
		}
	case <-time.After(10 * time.Second):
		t.Fatal("a lone echo was never committed after its linger")
	}
}
