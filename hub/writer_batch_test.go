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
