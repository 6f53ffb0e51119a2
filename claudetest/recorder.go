package claudetest

import (
	"sync"
	"time"
)

// Recorder keeps what a fake server received, oldest first, and wakes waiters on each new
// item. The zero value is ready; fakes of other agents' APIs (codextest) use it too.
type Recorder[T any] struct {
	// mu guards items and changed; servers add from their handler goroutines.
	mu    sync.Mutex
	items []T
	// changed is closed and replaced on every Add, waking Wait.
	changed chan struct{}
}

// Add records v.
func (r *Recorder[T]) Add(v T) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.items = append(r.items, v)
	if r.changed != nil {
		close(r.changed)
	}
	r.changed = make(chan struct{})
}

// All returns a copy of everything recorded so far, oldest first.
func (r *Recorder[T]) All() []T {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]T(nil), r.items...)
}

// Wait returns the first recorded item that match accepts, waiting up to timeout.
func (r *Recorder[T]) Wait(timeout time.Duration, match func(T) bool) (T, bool) {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		r.mu.Lock()
		for _, v := range r.items {
			if match(v) {
				r.mu.Unlock()
				return v, true
			}
		}
		if r.changed == nil {
			r.changed = make(chan struct{})
		}
		changed := r.changed
		r.mu.Unlock()
		select {
		case <-changed:
		case <-deadline.C:
			var zero T
			return zero, false
		}
	}
}
