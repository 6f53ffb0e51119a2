package hub

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
// forward is accepted: it is output the wrap's spool had to drop, and the
// wrap's pty.dropped notice, which reuses the last dropped seq, says how much.
func (s *session) receive(seq uint64) (ok bool, gap uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.refuse || seq <= s.recv {
		return false, 0
	}
	gap = seq - s.recv - 1
	s.recv = seq
	return true, gap
}

func (s *session) acked(seq uint64) {
	s.mu.Lock()
	c := s.conn
	s.mu.Unlock()
	if c != nil {
		c.ackUpTo(seq)
	}
}
