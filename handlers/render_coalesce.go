package handlers

import (
	"sync"
	"time"
)

const (
	// refreshEvery is the longest one list topic (the lobby, the approvals
	// list, a session's prompt panel) waits between re-renders in a burst:
	// a wrap opening 1,500 prompts must not re-render every approvals page
	// 1,500 times.
	refreshEvery = 250 * time.Millisecond
	// refreshShare sets the quiet time after a refresh to refreshShare times
	// what that refresh took (capped by refreshEvery), so a topic spends at
	// most about 1/(refreshShare+1) of the time rendering however hard it is
	// flooded, while a cheap render (the usual case: a prompt opened, then
	// answered a few milliseconds later) never waits for a timer. A fixed
	// 250 ms cooldown held every answer that followed a card within 250 ms
	// (BENCHMARKS.md, approvals).
	refreshShare = 9
)

// coalesceClock is what a coalescer reads and arms; the real one is the
// time package, tests pass a fake to step through a burst without waiting.
type coalesceClock struct {
	now   func() time.Time
	after func(d time.Duration, f func())
}

// realClock is the time package's clock.
func realClock() coalesceClock {
	return coalesceClock{now: time.Now, after: func(d time.Duration, f func()) { time.AfterFunc(d, f) }}
}

// coalescer runs a topic's refresh on the leading edge (at once when the
// topic's quiet time since its last refresh is over, so a single change is
// never delayed) and folds what comes while it renders or during the quiet
// time into one trailing refresh. The quiet time follows the cost of the
// last refresh (refreshShare), at most max.
type coalescer struct {
	max   time.Duration
	clock coalesceClock

	mu     sync.Mutex // guards topics
	topics map[string]*topicState
}

// topicState is one topic's schedule.
type topicState struct {
	next    time.Time // the end of the quiet time after the last refresh
	running bool      // a refresh is rendering
	pending bool      // a trailing refresh is due (armed on a timer unless running)
}

func newCoalescer(max time.Duration, clock coalesceClock) *coalescer {
	return &coalescer{max: max, clock: clock, topics: map[string]*topicState{}}
}

// do runs refresh for topic now or once the topic's quiet time has passed.
// refresh renders what is current when it runs, so a dropped call loses
// nothing.
func (c *coalescer) do(topic string, refresh func()) {
	c.mu.Lock()
	t := c.topics[topic]
	if t == nil {
		t = &topicState{}
		c.topics[topic] = t
	}
	if t.pending {
		c.mu.Unlock()
		return
	}
	if t.running { // the refresh that ends schedules the trailing one
		t.pending = true
		c.mu.Unlock()
		return
	}
	wait := t.next.Sub(c.clock.now())
	if wait <= 0 {
		t.running = true
		c.mu.Unlock()
		c.run(topic, t, refresh)
		return
	}
	t.pending = true
	c.mu.Unlock()
	c.arm(topic, t, wait, refresh)
}

// arm schedules the trailing refresh of a burst; the timer's goroutine
// renders.
func (c *coalescer) arm(topic string, t *topicState, wait time.Duration, refresh func()) {
	c.clock.after(wait, func() {
		c.mu.Lock()
		t.pending = false
		t.running = true
		c.mu.Unlock()
		c.run(topic, t, refresh)
	})
}

// run renders, sets the topic's quiet time from what that cost, and arms
// the trailing refresh when changes came in meanwhile.
func (c *coalescer) run(topic string, t *topicState, refresh func()) {
	start := c.clock.now()
	refresh()
	end := c.clock.now()
	quiet := min(end.Sub(start)*refreshShare, c.max)
	c.mu.Lock()
	t.running = false
	t.next = end.Add(quiet)
	again := t.pending
	c.mu.Unlock()
	if again {
		c.arm(topic, t, quiet, refresh)
	}
}
