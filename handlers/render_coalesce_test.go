package handlers

import (
	"testing"
	"time"
)

// fakeCoalesceClock is a clock the test moves by hand; armed timers wait in
// timers until the test fires them.
type fakeCoalesceClock struct {
	t      time.Time
	timers []fakeTimer
}

type fakeTimer struct {
	d time.Duration
	f func()
}

func (f *fakeCoalesceClock) clock() coalesceClock {
	return coalesceClock{
		now:   func() time.Time { return f.t },
		after: func(d time.Duration, fn func()) { f.timers = append(f.timers, fakeTimer{d, fn}) },
	}
}

// fire runs the oldest armed timer after moving the clock by its wait.
func (f *fakeCoalesceClock) fire(t *testing.T) time.Duration {
	t.Helper()
	if len(f.timers) == 0 {
		t.Fatal("no refresh is scheduled")
	}
	tm := f.timers[0]
	f.timers = f.timers[1:]
	f.t = f.t.Add(tm.d)
	tm.f()
	return tm.d
}

// A prompt's card and its answer a few milliseconds later are two cheap
// refreshes: the second must go out at once, not after a cooldown timer
// (the 250 ms regression on the approvals stream).
func TestCoalescerCheapRefreshNeverWaits(t *testing.T) {
	fc := &fakeCoalesceClock{t: time.Unix(1000, 0)}
	c := newCoalescer(refreshEvery, fc.clock())
	runs := 0
	render := func() { fc.t = fc.t.Add(200 * time.Microsecond); runs++ } // a 0.2 ms render
	c.do(topicApprovals, render)
	fc.t = fc.t.Add(5 * time.Millisecond) // the decision comes 5 ms later
	c.do(topicApprovals, render)
	if runs != 2 || len(fc.timers) != 0 {
		t.Fatalf("runs %d, timers armed %d: want both refreshes at once and no timer", runs, len(fc.timers))
	}
}

// A flood folds into one trailing refresh, scheduled after refreshShare
// times the last render's cost.
func TestCoalescerFloodFoldsIntoOne(t *testing.T) {
	fc := &fakeCoalesceClock{t: time.Unix(1000, 0)}
	c := newCoalescer(refreshEvery, fc.clock())
	runs := 0
	render := func() { fc.t = fc.t.Add(10 * time.Millisecond); runs++ }
	for range 1500 {
		c.do(topicApprovals, render)
	}
	if runs != 1 || len(fc.timers) != 1 {
		t.Fatalf("after a burst of 1500: runs %d, timers %d; want 1 and 1", runs, len(fc.timers))
	}
	if d := fc.fire(t); d != 10*time.Millisecond*refreshShare {
		t.Fatalf("trailing refresh after %v, want %v", d, 10*time.Millisecond*refreshShare)
	}
	if runs != 2 || len(fc.timers) != 0 {
		t.Fatalf("after the trailing refresh: runs %d, timers %d; want 2 and 0", runs, len(fc.timers))
	}
	// Other topics are independent.
	c.do(topicLobby, render)
	if runs != 3 {
		t.Fatalf("another topic waited: runs %d", runs)
	}
}

// A change that arrives while the topic renders gets one refresh after the
// quiet time; a slow render's quiet time is capped at refreshEvery.
func TestCoalescerChangeDuringRenderAndCap(t *testing.T) {
	fc := &fakeCoalesceClock{t: time.Unix(1000, 0)}
	c := newCoalescer(refreshEvery, fc.clock())
	runs := 0
	var render func()
	render = func() {
		runs++
		fc.t = fc.t.Add(time.Second) // a very slow render
		if runs == 1 {
			c.do(topicApprovals, render) // a change while rendering
			c.do(topicApprovals, render)
		}
	}
	c.do(topicApprovals, render)
	if runs != 1 || len(fc.timers) != 1 {
		t.Fatalf("runs %d, timers %d; want 1 and 1", runs, len(fc.timers))
	}
	if d := fc.fire(t); d != refreshEvery {
		t.Fatalf("quiet time %v, want the cap %v", d, refreshEvery)
	}
	if runs != 2 || len(fc.timers) != 0 {
		t.Fatalf("runs %d, timers %d; want 2 and 0", runs, len(fc.timers))
	}
}
