package coord

import (
	"slices"
	"sync"
	"time"
)

// The simulation clock is a heartbeat for agents that act in rounds: the
// hub sends ticks {tick, sim_time, speed} to the peers that asked for them,
// and counts the coordination actions (messages, locks, todos) each peer
// took during each tick, for a report after the run. It is its own clock:
// leases, reminders and every timestamp keep using the Service's Clock
// (real time). It lives in memory only: a hub restart ends the run.

// Speeds the simulation clock runs at: x1 sends a tick every TickEvery of
// real time, x10 ten times as often; each tick moves sim_time by TickEvery,
// so simulated time runs speed times faster than real time.
var Speeds = []int{1, 10, 100}

// Tick is one heartbeat of the simulation clock.
type Tick struct {
	Tick    uint64    `json:"tick"`
	SimTime time.Time `json:"sim_time"`
	Speed   int       `json:"speed"`
}

// ClockState is what clock answers: where the run is.
type ClockState struct {
	Running     bool      `json:"running"` // started and not paused
	Paused      bool      `json:"paused"`
	Tick        uint64    `json:"tick"`
	SimTime     time.Time `json:"sim_time,omitzero"`
	Speed       int       `json:"speed"`
	TickEvery   string    `json:"tick_every"`            // real time between ticks at x1
	Subscribers []string  `json:"subscribers,omitempty"` // peers that get ticks
	Subscribed  bool      `json:"subscribed"`            // the caller gets ticks
}

// TickActions is one tick's line of the report: per peer, how many
// coordination actions of each kind ("message", "lock", "todo").
type TickActions struct {
	Tick  uint64                    `json:"tick"`
	Peers map[string]map[string]int `json:"peers"`
}

// ClockReport is the actions per tick of the current (or last) run, the
// ticks with no action left out, and the totals per peer.
type ClockReport struct {
	Ticks  uint64                    `json:"ticks"` // ticks so far
	Rows   []TickActions             `json:"rows"`
	Totals map[string]map[string]int `json:"totals"`
	// Truncated: the run had more ticks with actions than the report keeps
	// (MaxReportTicks); the oldest were dropped, the totals still count them.
	Truncated bool `json:"truncated,omitempty"`
}

// MaxReportTicks bounds the report's memory: the ticks with actions kept.
const MaxReportTicks = 10000

// Ticker makes the real-time ticker that drives the clock; tests pass one
// they fire by hand. stop must be safe to call once.
type Ticker func(d time.Duration) (c <-chan time.Time, stop func())

func realTicker(d time.Duration) (<-chan time.Time, func()) {
	t := time.NewTicker(d)
	return t.C, t.Stop
}

// SimClock is the simulation clock. Safe for concurrent use.
type SimClock struct {
	bus       *Bus
	tickEvery time.Duration
	newTicker Ticker

	mu      sync.Mutex // guards everything below
	started bool
	paused  bool
	speed   int
	tick    uint64
	simTime time.Time
	subs    []string      // peers that asked for ticks, sorted
	stop    func()        // stops the running ticker goroutine
	report  []TickActions // ticks with actions, oldest first
	totals  map[string]map[string]int
	cut     bool // report rows were dropped
}

// NewSimClock builds a stopped clock publishing on bus; tickEvery is the
// real time between ticks at x1 (<= 0: one second); newTicker nil is real time.
func NewSimClock(bus *Bus, tickEvery time.Duration, newTicker Ticker) *SimClock {
	if tickEvery <= 0 {
		tickEvery = time.Second
	}
	if newTicker == nil {
		newTicker = realTicker
	}
	c := &SimClock{bus: bus, tickEvery: tickEvery, newTicker: newTicker, speed: 1, totals: map[string]map[string]int{}}
	bus.observe(c.record)
	return c
}

// Set runs the clock at speed (1, 10 or 100). The first Set, or one with
// reset, starts a run at tick 0 with sim_time start (zero: now) and an
// empty report; a later one changes the speed of the run, paused or not.
func (c *SimClock) Set(speed int, reset bool, start time.Time) (ClockState, error) {
	if !slices.Contains(Speeds, speed) {
		return ClockState{}, errf(Invalid, "speed %d: use 1, 10 or 100 (x1 is a tick every %s)", speed, c.tickEvery)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.started || reset {
		if start.IsZero() {
			start = time.Now().UTC()
		}
		c.started, c.paused, c.tick, c.simTime = true, false, 0, start.UTC()
		c.report, c.totals, c.cut = nil, map[string]map[string]int{}, false
	}
	c.speed = speed
	c.restartLocked()
	return c.stateLocked(""), nil
}

// Pause stops the ticks; the run, its tick count and report stay.
func (c *SimClock) Pause() (ClockState, error) { return c.setPaused(true) }

// Resume starts the ticks again after Pause.
func (c *SimClock) Resume() (ClockState, error) { return c.setPaused(false) }

func (c *SimClock) setPaused(paused bool) (ClockState, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.started {
		return ClockState{}, errf(Conflict, "the clock is not running; start it with clock_set {speed: 1|10|100}")
	}
	c.paused = paused
	c.restartLocked()
	return c.stateLocked(""), nil
}

// Subscribe adds (on) or removes peer from the peers that get ticks.
func (c *SimClock) Subscribe(peer string, on bool) ClockState {
	c.mu.Lock()
	defer c.mu.Unlock()
	i, found := slices.BinarySearch(c.subs, peer)
	switch {
	case on && !found:
		c.subs = slices.Insert(c.subs, i, peer)
	case !on && found:
		c.subs = slices.Delete(c.subs, i, i+1)
	}
	return c.stateLocked(peer)
}

// State is the clock as viewer sees it.
func (c *SimClock) State(viewer string) ClockState {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.stateLocked(viewer)
}

func (c *SimClock) stateLocked(viewer string) ClockState {
	st := ClockState{Running: c.started && !c.paused, Paused: c.paused, Tick: c.tick, SimTime: c.simTime,
		Speed: c.speed, TickEvery: c.tickEvery.String(), Subscribers: slices.Clone(c.subs)}
	st.Subscribed = viewer != "" && slices.Contains(c.subs, viewer)
	return st
}

// restartLocked stops the ticker goroutine and starts a new one at the
// current speed unless the clock is paused or stopped.
func (c *SimClock) restartLocked() {
	if c.stop != nil {
		c.stop()
		c.stop = nil
	}
	if !c.started || c.paused {
		return
	}
	ch, stopTicker := c.newTicker(c.tickEvery / time.Duration(c.speed))
	done := make(chan struct{})
	var once sync.Once
	c.stop = func() { once.Do(func() { stopTicker(); close(done) }) }
	// One goroutine per run segment: it turns ticker fires into ticks and
	// ends when the speed changes, the clock pauses or the hub stops.
	go func() {
		for {
			select {
			case <-done:
				return
			case <-ch:
				c.step(done)
			}
		}
	}()
}

// step advances one tick and publishes it to the subscribers, unless the
// segment it fired for has already been stopped.
func (c *SimClock) step(done <-chan struct{}) {
	c.mu.Lock()
	select {
	case <-done: // paused or re-speeded while this fire was in flight
		c.mu.Unlock()
		return
	default:
	}
	c.tick++
	c.simTime = c.simTime.Add(c.tickEvery)
	t := Tick{Tick: c.tick, SimTime: c.simTime, Speed: c.speed}
	audience := slices.Clone(c.subs)
	c.mu.Unlock()
	if len(audience) > 0 { // nobody asked: nothing to send
		c.bus.Publish(Event{Type: "tick", At: time.Now().UTC(), Tick: &t, tickTo: audience})
	}
}

// Close stops the ticks (the hub is stopping).
func (c *SimClock) Close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.stop != nil {
		c.stop()
		c.stop = nil
	}
	c.started = false
}

// record counts e against the tick in progress and the peer that acted,
// if it is a message, lock or todo. The bus calls it as it publishes
// (under its lock), so an action lands in the tick it happened in.
func (c *SimClock) record(e Event) {
	by := e.By
	if e.Message != nil {
		by = e.Message.From
	}
	if by == "" || (e.Type != "message" && e.Type != "lock" && e.Type != "todo") {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.started || c.paused {
		return // actions outside a running clock are not the simulation's
	}
	if n := len(c.report); n == 0 || c.report[n-1].Tick != c.tick {
		if n == MaxReportTicks {
			c.report, c.cut = slices.Delete(c.report, 0, 1), true
		}
		c.report = append(c.report, TickActions{Tick: c.tick, Peers: map[string]map[string]int{}})
	}
	row := c.report[len(c.report)-1]
	bump(row.Peers, by, e.Type)
	bump(c.totals, by, e.Type)
}

func bump(m map[string]map[string]int, peer, kind string) {
	if m[peer] == nil {
		m[peer] = map[string]int{}
	}
	m[peer][kind]++
}

// Report is the actions per tick of the current or last run.
func (c *SimClock) Report() ClockReport {
	c.mu.Lock()
	defer c.mu.Unlock()
	r := ClockReport{Ticks: c.tick, Rows: make([]TickActions, 0, len(c.report)), Totals: map[string]map[string]int{}, Truncated: c.cut}
	for _, row := range c.report {
		r.Rows = append(r.Rows, TickActions{Tick: row.Tick, Peers: cloneCounts(row.Peers)})
	}
	r.Totals = cloneCounts(c.totals)
	return r
}

func cloneCounts(m map[string]map[string]int) map[string]map[string]int {
	out := make(map[string]map[string]int, len(m))
	for p, k := range m {
		out[p] = make(map[string]int, len(k))
		for kind, n := range k {
			out[p][kind] = n
		}
	}
	return out
}
