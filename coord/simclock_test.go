package coord

import (
	"context"
	"sync"
	"testing"
	"time"
)

// fakeTickers hands out tickers the test fires by hand and records the
// interval each was asked for.
type fakeTickers struct {
	mu    sync.Mutex
	asked []time.Duration
	cur   chan time.Time
	stops int
}

func (f *fakeTickers) new(d time.Duration) (<-chan time.Time, func()) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.asked = append(f.asked, d)
	f.cur = make(chan time.Time)
	return f.cur, func() { f.mu.Lock(); f.stops++; f.mu.Unlock() }
}

// fire delivers one ticker fire to the running segment (it blocks until
// the segment's goroutine takes it).
func (f *fakeTickers) fire() {
	f.mu.Lock()
	c := f.cur
	f.mu.Unlock()
	c <- time.Time{}
}

func nextTick(t *testing.T, sub *Sub) Tick {
	t.Helper()
	for {
		select {
		case e := <-sub.C:
			if e.Tick != nil {
				return *e.Tick
			}
		case <-time.After(5 * time.Second):
			t.Fatal("no tick arrived")
		}
	}
}

func TestSimClockSpeedTicksAndPause(t *testing.T) {
	bus := NewBus()
	ft := &fakeTickers{}
	c := NewSimClock(bus, time.Second, ft.new)
	defer c.Close()
	asking := bus.Subscribe("alice", nil, false)
	other := bus.Subscribe("bob", nil, false)
	c.Subscribe("alice", true)
	start := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	if _, err := c.Set(7, false, start); KindOf(err) != Invalid {
		t.Fatalf("speed 7: %v, want Invalid", err)
	}
	if _, err := c.Set(10, false, start); err != nil {
		t.Fatal(err)
	}
	if ft.asked[0] != 100*time.Millisecond {
		t.Fatalf("x10 ticker every %s, want 100ms", ft.asked[0])
	}
	for want := uint64(1); want <= 3; want++ {
		ft.fire()
		tk := nextTick(t, asking)
		if tk.Tick != want || tk.Speed != 10 || !tk.SimTime.Equal(start.Add(time.Duration(want)*time.Second)) {
			t.Fatalf("tick %+v, want tick %d at x10, sim_time +%ds", tk, want, want)
		}
	}
	if _, err := c.Set(100, false, time.Time{}); err != nil {
		t.Fatal(err)
	}
	if ft.asked[1] != 10*time.Millisecond {
		t.Fatalf("x100 ticker every %s, want 10ms", ft.asked[1])
	}
	ft.fire()
	if tk := nextTick(t, asking); tk.Tick != 4 || tk.Speed != 100 {
		t.Fatalf("after re-speed: %+v, want tick 4 at x100 (the run goes on)", tk)
	}
	st, _ := c.Pause()
	if st.Running || !st.Paused || st.Tick != 4 || ft.stops < 2 {
		t.Fatalf("paused: %+v (ticker stops %d)", st, ft.stops)
	}
	if len(ft.asked) != 2 {
		t.Fatalf("a paused clock started a ticker: %v", ft.asked)
	}
	st, _ = c.Resume()
	if !st.Running || len(ft.asked) != 3 {
		t.Fatalf("resumed: %+v, tickers %v", st, ft.asked)
	}
	ft.fire()
	if tk := nextTick(t, asking); tk.Tick != 5 {
		t.Fatalf("after resume: tick %d, want 5", tk.Tick)
	}
	for len(other.C) > 0 {
		if e := <-other.C; e.Tick != nil {
			t.Fatalf("bob did not subscribe but got tick %+v", e.Tick)
		}
	}
}

func TestSimClockReportCountsPerTickAndPeer(t *testing.T) {
	s, _ := newSvc(t)
	ft := &fakeTickers{}
	c := NewSimClock(s.Bus(), time.Second, ft.new)
	defer c.Close()
	c.Subscribe("carol", true)
	watch := s.Bus().Subscribe("carol", nil, false)
	if _, err := c.Set(1, false, time.Time{}); err != nil {
		t.Fatal(err)
	}
	// Tick 0: alice sends a message and takes a lock.
	if _, err := s.Send("alice", Message{To: "bob", Subject: "hi"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Acquire("alice", "deploy", time.Minute, ""); err != nil {
		t.Fatal(err)
	}
	ft.fire()
	nextTick(t, watch)
	// Tick 1: bob adds a todo and answers.
	if _, err := s.AddTodo("bob", Todo{Title: "ship it"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Send("bob", Message{To: "alice", Subject: "ok"}); err != nil {
		t.Fatal(err)
	}
	r := c.Report()
	if r.Ticks != 1 || len(r.Rows) != 2 {
		t.Fatalf("report %+v, want 1 tick and 2 rows", r)
	}
	if r.Rows[0].Tick != 0 || r.Rows[0].Peers["alice"]["message"] != 1 || r.Rows[0].Peers["alice"]["lock"] != 1 || r.Rows[0].Peers["bob"] != nil {
		t.Fatalf("tick 0 row %+v", r.Rows[0])
	}
	if r.Rows[1].Tick != 1 || r.Rows[1].Peers["bob"]["todo"] != 1 || r.Rows[1].Peers["bob"]["message"] != 1 {
		t.Fatalf("tick 1 row %+v", r.Rows[1])
	}
	c.Pause()
	if _, err := s.Send("alice", Message{To: "bob", Subject: "while paused"}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Set(1, true, time.Time{}); err != nil { // a new run: the report starts empty
		t.Fatal(err)
	}
	if r := c.Report(); len(r.Rows) != 0 || r.Ticks != 0 {
		t.Fatalf("after reset: %+v", r)
	}
}

// A fast clock's ticks keep to their own ring: hundreds of them neither
// push a lock event out of the long-poll log nor make a caller that saw
// nothing but ticks look as if it missed events.
func TestTicksDoNotCrowdTheEventLog(t *testing.T) {
	bus := NewBus()
	bus.Publish(Event{Type: "lock", Notice: "alice took lock deploy"})
	for i := range 3 * eventLogSize {
		bus.Publish(Event{Type: "tick", Tick: &Tick{Tick: uint64(i + 1)}, tickTo: []string{"carol"}})
	}
	page := bus.Wait(context.Background(), EventQuery{Viewer: Viewer{Peer: "bob"}, Since: 0})
	if page.Missed || len(page.Events) != 1 || page.Events[0].Type != "lock" {
		t.Fatalf("bob's page: missed=%v %d events %+v", page.Missed, len(page.Events), page.Events)
	}
	page = bus.Wait(context.Background(), EventQuery{Viewer: Viewer{Peer: "carol"}, Since: 1, Types: []string{"tick"}})
	if page.Missed || len(page.Events) != tickLogSize || page.Events[0].Tick.Tick != uint64(3*eventLogSize-tickLogSize+1) {
		t.Fatalf("carol's ticks: missed=%v %d events", page.Missed, len(page.Events))
	}
}
