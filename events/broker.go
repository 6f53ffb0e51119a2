package events

import (
	"sync"

	"github.com/ct-dev/ct/db"
)

// subBuffer is how many events a stream may fall behind before it is cut
// off: a burst of prompts and state changes fits; a stuck reader costs
// little. A cut-off reader reconnects with Last-Event-ID and reads the
// rest from the store, so it loses nothing.
const subBuffer = 256

// Sub is one live stream's subscription.
type Sub struct {
	C      <-chan db.EventRecord
	c      chan db.EventRecord
	closed bool
}

// Broker fans stored events out to live streams: one buffered channel per
// subscriber, non-blocking send, the slow one is evicted.
type Broker struct {
	mu     sync.Mutex // guards subs, last, done and each Sub's closed flag
	subs   map[*Sub]struct{}
	last   uint64 // id of the newest event published
	closed bool
}

func newBroker() *Broker { return &Broker{subs: map[*Sub]struct{}{}} }

// Subscribe adds a subscriber and returns the id of the newest event
// already published, under the same lock: every event up to it is in the
// store, every later one comes on the channel, so a reader that replays
// (since, last] from the store and then reads the channel sees each event
// once and none is missing.
func (b *Broker) Subscribe() (*Sub, uint64) {
	c := make(chan db.EventRecord, subBuffer)
	s := &Sub{C: c, c: c}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		s.closed = true
		close(c)
		return s, b.last
	}
	b.subs[s] = struct{}{}
	return s, b.last
}

// Unsubscribe removes s and closes its channel (once).
func (b *Broker) Unsubscribe(s *Sub) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.drop(s)
}

func (b *Broker) drop(s *Sub) {
	if s.closed {
		return
	}
	s.closed = true
	delete(b.subs, s)
	close(s.c)
}

func (b *Broker) publish(e db.EventRecord) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.last = e.ID
	for s := range b.subs {
		select {
		case s.c <- e:
		default:
			b.drop(s) // too slow: evict rather than stall the recorder
		}
	}
}

func (b *Broker) close() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.closed = true
	for s := range b.subs {
		b.drop(s)
	}
}
