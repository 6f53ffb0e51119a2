package main

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/ct-dev/ct/bench"
)

// viewer is one SSE client on a session page stream, noting how stale each
// screen update is: the time it arrived minus the newest line timestamp in it.
type viewer struct {
	mu      sync.Mutex
	delays  []float64 // ms, one per screen update carrying a timestamp
	events  int
	bytes   int64
	err     error
	newest  int64 // newest timestamp seen, unix ns
	from    int64 // ignore updates before this (unix ns): setup, not load
	started chan struct{}
}

func (v *viewer) run(ctx context.Context, client *http.Client, url string) {
	body, err := bench.Subscribe(ctx, client, url)
	if err != nil {
		v.mu.Lock()
		v.err = err
		v.mu.Unlock()
		close(v.started)
		return
	}
	defer body.Close()
	close(v.started)
	_ = bench.ReadEvents(body, func(ev bench.Event) bool {
		ts := newestStamp(ev.Data)
		v.mu.Lock()
		defer v.mu.Unlock()
		v.events++
		v.bytes += int64(len(ev.Data))
		if ts > 0 && ev.At.UnixNano() >= v.from {
			v.delays = append(v.delays, bench.Ms(ev.At.Sub(time.Unix(0, ts))))
			v.newest = max(v.newest, ts)
		}
		return true
	})
}

// newestStamp returns the largest T<19 digits> timestamp in b, or 0.
func newestStamp(b []byte) int64 {
	var best int64
	for i := 0; i+20 <= len(b); i++ {
		if b[i] != 'T' {
			continue
		}
		var n int64
		ok := true
		for _, c := range b[i+1 : i+20] {
			if c < '0' || c > '9' {
				ok = false
				break
			}
			n = n*10 + int64(c-'0')
		}
		if ok && n > best {
			best = n
		}
	}
	return best
}
