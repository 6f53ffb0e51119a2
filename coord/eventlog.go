package coord

import (
	"cmp"
	"context"
	"slices"
)

// The bus keeps its last events with an id each so a peer without a
// stream (an agent behind ct mcp) can long-poll them: GET
// /api/v1/events/wait?since=ID returns what came after ID, or waits for
// it. The log is memory only: a restarted hub starts again at 1, and a
// caller whose since is ahead of the hub is told it missed some.

// eventLogSize is how many events the hub remembers: the same as a
// stream subscriber's buffer (subBuffer), so a long-poll caller may fall
// as far behind as a stream reader before it misses events, and the hub
// holds no more than one more subscriber's worth of memory.
const eventLogSize = subBuffer

// MaxWaitEvents bounds one answer of Wait: a caller that is far behind
// pages through with since.
const MaxWaitEvents = 100

// EventTypes are the event types a caller may ask Wait for.
var EventTypes = []string{"message", "receipt", "notice", "lock", "todo", "peer", "skill", "tick"}

// tickLogSize is how many simulation ticks the hub remembers for
// long-polls, in a ring of their own: at x100 a hundred ticks a second
// would otherwise push every message and lock out of the main ring. A
// caller that falls further behind than this skips ticks (the tick
// numbers show the gap), which a heartbeat can afford.
const tickLogSize = 64

// eventLog is a ring of the last events, and one of the last ticks.
// Guarded by the Bus's mu.
type eventLog struct {
	ring    []Event // oldest first once full; ring[next] is the next slot
	next    int
	ticks   ring          // simulation ticks only
	dropped uint64        // id of the newest event pushed out of ring (0: none)
	seq     uint64        // id of the newest event (0: none yet)
	wake    chan struct{} // closed and replaced on every add: wakes waiters
}

// ring is a fixed-size ring of events, oldest first once full.
type ring struct {
	buf  []Event
	next int
}

// put keeps e in a ring of size n and returns the event it pushed out.
func (r *ring) put(e Event, n int) (old Event, full bool) {
	if len(r.buf) < n {
		r.buf = append(r.buf, e)
		return Event{}, false
	}
	old = r.buf[r.next]
	r.buf[r.next] = e
	r.next = (r.next + 1) % n
	return old, true
}

// ordered returns the kept events oldest first.
func (r *ring) ordered(n int) []Event {
	if len(r.buf) < n {
		return r.buf
	}
	return append(slices.Clone(r.buf[r.next:]), r.buf[:r.next]...)
}

func newEventLog() eventLog {
	return eventLog{ring: make([]Event, 0, eventLogSize), wake: make(chan struct{})}
}

// add numbers e, keeps it and wakes every waiter.
func (l *eventLog) add(e Event) Event {
	l.seq++
	e.ID = l.seq
	switch {
	case e.Tick != nil:
		l.ticks.put(e, tickLogSize)
	case len(l.ring) < eventLogSize:
		l.ring = append(l.ring, e)
	default:
		l.dropped = l.ring[l.next].ID
		l.ring[l.next] = e
		l.next = (l.next + 1) % eventLogSize
	}
	l.wakeAll()
	return e
}

func (l *eventLog) wakeAll() {
	close(l.wake)
	l.wake = make(chan struct{})
}

// ordered returns the kept events and ticks oldest first.
func (l *eventLog) ordered() []Event {
	main := l.ring
	if len(l.ring) == eventLogSize {
		main = append(slices.Clone(l.ring[l.next:]), l.ring[:l.next]...)
	}
	ticks := l.ticks.ordered(tickLogSize)
	if len(ticks) == 0 {
		return main
	}
	all := append(slices.Clone(main), ticks...)
	slices.SortFunc(all, func(a, b Event) int { return cmp.Compare(a.ID, b.ID) })
	return all
}

// EventQuery is what a Wait caller asks for: events after Since that
// Viewer may see, of Types (empty: every type), at most Max.
type EventQuery struct {
	Viewer Viewer
	Since  uint64
	Types  []string
	Max    int // 0 or over MaxWaitEvents: MaxWaitEvents
}

// EventPage is Wait's answer. Next is the id to pass as since to resume;
// Missed says events after since were dropped from the log (the caller
// was too far behind, or the hub restarted) so it should re-read state
// (inbox, locks, todos) rather than trust the events alone.
type EventPage struct {
	Events []Event `json:"events"`
	Next   uint64  `json:"next"`
	Missed bool    `json:"missed,omitempty"`
}

// LatestEventID is the id of the newest event (0 before the first); a
// caller that starts waiting "from now" passes it as since.
func (b *Bus) LatestEventID() uint64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.recent.seq
}

// Wait returns the events after q.Since that q.Viewer may see, waiting
// until one comes, ctx ends (the caller's timeout) or the bus closes.
func (b *Bus) Wait(ctx context.Context, q EventQuery) EventPage {
	if q.Max <= 0 || q.Max > MaxWaitEvents {
		q.Max = MaxWaitEvents
	}
	for {
		page, wake, closed := b.since(q)
		if len(page.Events) > 0 || page.Missed || closed {
			return page
		}
		q.Since = page.Next // skip the events this caller may not see
		select {
		case <-wake:
		case <-ctx.Done():
			return page
		}
	}
}

// since is one look at the log: what q may see now, and the channel that
// closes on the next event.
func (b *Bus) since(q EventQuery) (EventPage, <-chan struct{}, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	l := &b.recent
	page := EventPage{Events: []Event{}, Next: l.seq}
	if q.Since > l.seq { // from a hub before a restart
		q.Since, page.Missed = 0, true
	}
	all := l.ordered()
	if q.Since < l.dropped { // events after since were pushed out (ticks are not counted)
		page.Missed = true
	}
	for _, e := range all {
		if e.ID <= q.Since || !visible(e, q) {
			continue
		}
		page.Events = append(page.Events, e)
		if len(page.Events) == q.Max {
			page.Next = e.ID
			break
		}
	}
	return page, l.wake, b.closed
}

// visible: a message only to whom it is addressed and its sender (as on
// a stream); every other event (notices of locks, todos, peers, skills)
// to everyone, as the lobby panel shows them.
func visible(e Event, q EventQuery) bool {
	if len(q.Types) > 0 && !slices.Contains(q.Types, e.Type) {
		return false
	}
	if e.Tick != nil {
		return slices.Contains(e.tickTo, q.Viewer.Peer)
	}
	if p := e.privateTo(); p != "" && p != q.Viewer.Owner {
		return false // a private space's events: its owner's peers only
	}
	if e.Message == nil {
		return true
	}
	return e.Message.From == q.Viewer.Peer || q.Viewer.Reaches(e.Message)
}
