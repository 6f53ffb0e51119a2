package hub

import "fmt"

// attach makes c the session's connection, ending any previous one (a wrap
// that reconnected before the hub noticed its old connection died).
func (s *session) attach(c *wrapConn) error {
	s.mu.Lock()
	old := s.conn
	s.conn = c
	s.refuse = false // a new connection resends from the durable mark
	s.mu.Unlock()
	if old != nil {
		old.fail("replaced by a newer connection of the same session")
	}
	return nil
}

func (s *session) detach(c *wrapConn) {
	s.mu.Lock()
	if s.conn == c {
		s.conn = nil
	}
	s.mu.Unlock()
}

// receive records that event seq arrived; false means it was seen before
// (the wrap resends from the first unacked event after a reconnect). A jump
// forward is accepted only up to maxGap: the frames a pty.dropped notice
// (which reuses the last dropped seq) declares its spool dropped, less the
// one it takes itself. Any other jump is refused with an error: taken, it
// would make every real event after it look like a duplicate (a replayed
// session id with seq 1,000,000 hid the real output).
func (s *session) receive(seq, maxGap uint64) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.refuse || seq <= s.recv {
		return false, nil
	}
	if gap := seq - s.recv - 1; gap > maxGap {
		return false, fmt.Errorf("event seq %d skips %d events after %d; only a pty.dropped notice may skip, and only the frames it declares", seq, gap, s.recv)
	}
	s.recv = seq
	return true, nil
}

func (s *session) acked(seq uint64) {
	s.mu.Lock()
	c := s.conn
	s.mu.Unlock()
	if c != nil {
		c.ackUpTo(seq)
	}
}
