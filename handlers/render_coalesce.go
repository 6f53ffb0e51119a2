package handlers

import (
	"sync"
	"time"
)

// refreshEvery bounds how often one list topic (the lobby, the approvals
// list, a session's prompt panel) is re-rendered: a wrap opening 1,500
// prompts must not re-render every approvals page 1,500 times.
const refreshEvery = 250 * time.Millisecond

// coalescer runs a topic's refresh on the leading edge (at once after a
// quiet spell, so a single change is never delayed) and folds a burst into
// one trailing refresh at most every `every`.
type coalescer struct {
	every time.Duration

	mu      sync.Mutex // guards last and pending
	last    map[string]time.Time
	pending map[string]bool // a trailing refresh is scheduled
}

func newCoalescer(every time.Duration) *coalescer {
	return &coalescer{every: every, last: map[string]time.Time{}, pending: map[string]bool{}}
}

// do runs refresh for topic now or once the topic's interval has passed.
// refresh renders what is current when it runs, so a dropped call loses
// nothing.
func (c *coalescer) do(topic string, refresh func()) {
	c.mu.Lock()
	if c.pending[topic] {
		c.mu.Unlock()
		return
	}
	wait := c.every - time.Since(c.last[topic])
	if wait <= 0 {
		c.last[topic] = time.Now()
		c.mu.Unlock()
		refresh()
		return
	}
	c.pending[topic] = true
	c.mu.Unlock()
	// The trailing refresh of a burst; the timer's goroutine renders.
	time.AfterFunc(wait, func() {
		c.mu.Lock()
		c.pending[topic] = false
		c.last[topic] = time.Now()
		c.mu.Unlock()
		refresh()
	})
}
