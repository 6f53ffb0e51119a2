package handlers

import "sync"

// txCursors remembers, per open session page, the last logged transcript
// entry it has, so the full list sent when a stream connects and the entries
// pushed after it never overlap or leave a gap.
type txCursors struct {
	// mu is held while a list or an entry is rendered and sent (lock/unlock),
	// so an entry committed meanwhile is either in the list or pushed after
	// it, never both.
	mu   sync.Mutex
	last map[string]uint64 // stream id -> seq of the last entry it has
}

func (c *txCursors) lock()   { c.mu.Lock() }
func (c *txCursors) unlock() { c.mu.Unlock() }

// forget drops a page whose stream ended.
func (c *txCursors) forget(streamID string) {
	c.mu.Lock()
	delete(c.last, streamID)
	c.mu.Unlock()
}

// at is the last entry a page has; ok is false when it has no list (it needs
// the whole one). Call with the lock held.
func (c *txCursors) at(streamID string) (seq uint64, ok bool) {
	seq, ok = c.last[streamID]
	return seq, ok
}

// sent records whether a page took what it was sent, up to seq; a page that
// missed it gets the whole list with the next entry. Call with the lock held.
func (c *txCursors) sent(streamID string, seq uint64, took bool) {
	if !took {
		delete(c.last, streamID)
		return
	}
	if c.last == nil {
		c.last = map[string]uint64{}
	}
	c.last[streamID] = seq
}
