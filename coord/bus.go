package coord

import (
	"slices"
	"strings"
	"sync"
	"time"
)

// Event is one live change pushed to subscribers.
type Event struct {
	// ID orders the hub's events (1, 2, ... since it started); a
	// wait_for_events caller resumes after the last one it saw.
	ID      uint64    `json:"id,omitempty"`
	Type    string    `json:"type"` // message | receipt | typing | notice | lock | todo | peer | skill | reservation | state
	At      time.Time `json:"at"`
	Message *Message  `json:"message,omitempty"`
	Lock    *Lock     `json:"lock,omitempty"`
	Todo    *Todo     `json:"todo,omitempty"`
	Peer    *Peer     `json:"peer,omitempty"`
	Skill   *Skill    `json:"skill,omitempty"`  // its summary: no instructions or files
	Notice  string    `json:"notice,omitempty"` // one line for people: "alice took lock deploy"
	// Reservation is a path reservation taken or released (Until = now).
	Reservation *Reservation `json:"reservation,omitempty"`
	State       *StateValue  `json:"state,omitempty"` // a state key's new value
	// Typing is a peer composing a message (type typing): live only, never
	// kept for long-polls, sent only to its recipients.
	Typing *Typing `json:"typing,omitempty"`
	// By is the peer whose action this is (locks and todos; a message's
	// is its From), for the simulation clock's report.
	By string `json:"by,omitempty"`
	// Tick is a simulation clock heartbeat (simclock.go), sent only to
	// the peers in tickTo, the ones that subscribed.
	Tick   *Tick    `json:"tick,omitempty"`
	tickTo []string // who may see a tick (the subscribers); not sent
}

// audience is the message whose sender and recipients alone receive e
// (nil: everyone does).
func (e *Event) audience() *Message {
	if e.Typing != nil {
		return &Message{From: e.Typing.From, To: e.Typing.To}
	}
	return e.Message
}

// subBuffer is how many events a subscriber may fall behind before it is
// evicted: enough for a burst of messages, small enough that a stuck
// reader costs little memory. An evicted reader reconnects and re-reads
// its inbox from the store, so nothing is lost, only pushed late.
const subBuffer = 256

// Sub is one subscriber: a peer (or "" for a viewer that sees every
// notice but no one's messages, e.g. the lobby panel, which sees all).
type Sub struct {
	C      <-chan Event
	c      chan Event
	peer   string
	groups []string
	all    bool // sees every message (the lobby panel of an admin)
	quiet  bool // a long-poll: no presence notices
	closed bool
}

// Bus fans events out: one buffered channel per subscriber, non-blocking
// send, the slow one is evicted (its channel closed) so it never holds up
// the sender or the others.
type Bus struct {
	mu     sync.Mutex // guards subs, closed, each Sub's closed flag and recent
	subs   map[*Sub]struct{}
	closed bool     // the hub is stopping: no new subscriptions
	recent eventLog // the last events, for long-polls that resume by id (eventlog.go)
	// observers see every event as it is published, under mu: the
	// simulation clock's counter (simclock.go). They must not publish.
	observers []func(Event)
}

// observe adds f to the functions every published event is given.
func (b *Bus) observe(f func(Event)) {
	b.mu.Lock()
	b.observers = append(b.observers, f)
	b.mu.Unlock()
}

// Close ends every subscription (their channels close) and refuses new
// ones, so long-lived streams end when the hub stops.
func (b *Bus) Close() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.closed = true
	for s := range b.subs {
		b.drop(s)
	}
	b.recent.wakeAll()
}

// NewBus returns an empty bus.
func NewBus() *Bus { return &Bus{subs: map[*Sub]struct{}{}, recent: newEventLog()} }

// Subscribe adds a subscriber for peer with groups; all means it receives
// every message whoever it is for. A peer's first subscription tells
// everyone it is online.
func (b *Bus) Subscribe(peer string, groups []string, all bool) *Sub {
	return b.subscribe(peer, groups, all, false)
}

// SubscribeQuiet is Subscribe for a short wait (a long-poll): it counts
// as online but announces neither arriving nor leaving.
func (b *Bus) SubscribeQuiet(peer string, groups []string) *Sub {
	return b.subscribe(peer, groups, false, true)
}

func (b *Bus) subscribe(peer string, groups []string, all, quiet bool) *Sub {
	c := make(chan Event, subBuffer)
	s := &Sub{C: c, c: c, peer: peer, groups: groups, all: all, quiet: quiet}
	b.mu.Lock()
	if b.closed {
		s.closed = true
		close(c)
		b.mu.Unlock()
		return s
	}
	first := peer != "" && !quiet && !b.onlineLocked(peer)
	b.subs[s] = struct{}{}
	b.mu.Unlock()
	if first {
		b.Publish(Event{Type: "peer", At: time.Now().UTC(), Notice: peer + " is online"})
	}
	return s
}

// Unsubscribe removes s and closes its channel (once). A peer's last
// subscription ending tells everyone it left.
func (b *Bus) Unsubscribe(s *Sub) {
	b.mu.Lock()
	was := !s.closed
	b.drop(s)
	left := was && s.peer != "" && !s.quiet && !b.closed && !b.onlineLocked(s.peer)
	b.mu.Unlock()
	if left {
		b.Publish(Event{Type: "peer", At: time.Now().UTC(), Notice: s.peer + " left"})
	}
}

func (b *Bus) drop(s *Sub) {
	if s.closed {
		return
	}
	s.closed = true
	delete(b.subs, s)
	close(s.c)
}

// Subscribers counts live subscriptions (tests wait on it).
func (b *Bus) Subscribers() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.subs)
}

// Online reports whether peer has at least one live subscription.
func (b *Bus) Online(peer string) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.onlineLocked(peer)
}

func (b *Bus) onlineLocked(peer string) bool {
	for s := range b.subs {
		if s.peer == peer {
			return true
		}
	}
	return false
}

// Publish sends e to every subscriber it concerns without blocking.
func (b *Bus) Publish(e Event) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if e.Type != "typing" { // a typing signal is stale in seconds: no replay
		e = b.recent.add(e)
	}
	for _, f := range b.observers {
		f(e)
	}
	m := e.audience()
	for s := range b.subs {
		if m != nil && !s.all && !addressedTo(m, s.peer, s.groups) && m.From != s.peer {
			continue
		}
		if e.Tick != nil && !slices.Contains(e.tickTo, s.peer) {
			continue // only the peers that asked for ticks get them
		}
		select {
		case s.c <- e:
		default:
			b.drop(s) // too slow: evict rather than stall the sender
		}
	}
}

// AddressedTo reports whether a message reaches peer (in groups).
func AddressedTo(m *Message, peer string, groups []string) bool { return addressedTo(m, peer, groups) }

// Closed reports whether the bus has been closed (the hub is stopping).
func (b *Bus) Closed() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.closed
}

// addressedTo reports whether a message to m.To reaches peer (in groups).
func addressedTo(m *Message, peer string, groups []string) bool {
	switch {
	case m.Via != "" && m.Via == peer:
		return true // the bridge carrying it to NAME@HUB (remote.go)
	case m.To == "*":
		return true
	case strings.HasPrefix(m.To, "@"):
		return slices.Contains(groups, m.To[1:]) || slices.Contains(groups, m.To)
	default:
		return m.To == peer
	}
}
