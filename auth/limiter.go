package auth

import (
	"sync"
	"time"
)

// Limiter throttles password guesses per key (an account, an address). The
// first Free failures cost nothing; after that each try must wait a delay
// that doubles with every further failure, from Base up to Max, so a person
// who mistyped is slowed for seconds while a guesser gets a handful of tries
// an hour. A key's failures are forgotten Window after its last one.
//
// A try is counted when it starts (Begin), not when its password check ends:
// guesses sent in parallel would otherwise all pass the check before any of
// their failures is recorded.
type Limiter struct {
	free              int
	base, max, window time.Duration

	mu   sync.Mutex
	keys map[string]*tries
}

// tries is one key's record.
type tries struct {
	fails    int       // failures since the key was last forgotten
	last     time.Time // the newest failure
	inflight int       // tries begun and not yet done
}

// maxKeys bounds memory under a spray of names or addresses.
const maxKeys = 100000

// NewLimiter allows free failures per key, then delays from base doubling
// to max; a key is forgotten window after its last failure.
func NewLimiter(free int, base, max, window time.Duration) *Limiter {
	return &Limiter{free: free, base: base, max: max, window: window, keys: map[string]*tries{}}
}

// Begin asks to try key now. It returns 0 and counts the try (call Done
// with its result), or how long to wait before trying again.
func (l *Limiter) Begin(key string, now time.Time) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	t := l.keys[key]
	if t != nil && t.inflight == 0 && now.Sub(t.last) > l.window {
		delete(l.keys, key)
		t = nil
	}
	if t == nil {
		if len(l.keys) >= maxKeys {
			l.evict()
		}
		t = &tries{}
		l.keys[key] = t
	}
	if n := t.fails + t.inflight; n >= l.free {
		// Past the free tries: one at a time, each after its delay.
		if t.inflight > 0 {
			return l.base
		}
		if wait := t.last.Add(l.delay(n - l.free)).Sub(now); wait > 0 {
			return wait
		}
	}
	t.inflight++
	return 0
}

// Done ends a try Begin counted: a failure adds to the key's record, a
// success forgets it.
func (l *Limiter) Done(key string, now time.Time, ok bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	t := l.keys[key]
	if t == nil {
		return
	}
	t.inflight = max(t.inflight-1, 0)
	if ok {
		delete(l.keys, key)
		return
	}
	t.fails++
	t.last = now
}

// Release ends a try Begin counted without a verdict on key (another
// check refused the try, or succeeded: an address's failures outlive one
// right password, so a spray cannot reset itself).
func (l *Limiter) Release(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if t := l.keys[key]; t != nil {
		t.inflight = max(t.inflight-1, 0)
	}
}

// delay is the wait after the k-th failure past the free ones (k from 0).
func (l *Limiter) delay(k int) time.Duration {
	d := l.base
	for range min(k, 32) {
		d *= 2
		if d >= l.max {
			return l.max
		}
	}
	return min(d, l.max)
}

// evict drops idle keys to make room; under a spray any idle key will do
// (a dropped key only gets its free tries back).
func (l *Limiter) evict() {
	for k, t := range l.keys {
		if t.inflight == 0 {
			delete(l.keys, k)
		}
		if len(l.keys) < maxKeys/2 {
			return
		}
	}
}
