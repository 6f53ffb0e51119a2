package hub

import (
	"errors"
	"time"

	"github.com/ct-dev/ct/db"
	"github.com/ct-dev/ct/wire"
)

// ErrStillConnected refuses forgetting or archiving a session whose wrap
// is connected (its record says offline or ended, but the program runs).
var ErrStillConnected = errors.New("the session's ct wrap is connected: stop its program first (Stop on the session page), then archive or forget it")

// Stop asks a live session's wrap to end its program: SIGTERM now, SIGKILL
// if it still runs after grace. The wrap keeps the timer; the session's
// end arrives as usual (session.end) when the program has exited.
func (h *Hub) Stop(id string, grace time.Duration, by string) error {
	_, c, err := h.connOf(id)
	if err != nil {
		return err
	}
	e, _ := wire.New(wire.TypeSessionStop, wire.SessionStop{GraceMS: grace.Milliseconds(), By: by})
	e.SessionID = id
	return c.send(e)
}

// SetArchived archives (on) or restores a session that has ended or whose
// wrap is gone, and refreshes the lobbies. An ended session is archived
// even while its wrap is still connected: after session.end the wrap only
// waits for the last acks before it goes (a moment in which the page
// already says "ended"), and no output can follow an end.
func (h *Hub) SetArchived(id string, on bool, by string) (db.Session, error) {
	h.mu.Lock()
	connected := h.connectedLocked(id)
	h.mu.Unlock()
	if on && connected {
		cur, err := h.store.GetSession(id)
		if err != nil || cur.Status != db.StatusEnded {
			return db.Session{}, ErrStillConnected
		}
	}
	ss, err := h.store.SetArchived(id, on, by, time.Now())
	if errors.Is(err, db.ErrNotFound) {
		return ss, ErrNotFound
	}
	if err == nil {
		h.notify().LobbyChanged()
	}
	return ss, err
}

// Forget deletes a session that has ended or whose wrap is gone: its
// record and log from the store, its screen from memory. A wrap that
// connects again later starts it afresh under a new number.
func (h *Hub) Forget(id string) (db.Session, error) {
	h.mu.Lock()
	connected := h.connectedLocked(id)
	h.mu.Unlock()
	if connected {
		return db.Session{}, ErrStillConnected
	}
	ss, err := h.store.ForgetSession(id)
	if errors.Is(err, db.ErrNotFound) {
		return ss, ErrNotFound
	}
	if err != nil {
		return ss, err
	}
	h.mu.Lock()
	s := h.sessions[id]
	delete(h.sessions, id)
	h.mu.Unlock()
	if s != nil {
		s.stop() // its worker closes the emulator
	}
	h.notify().LobbyChanged()
	return ss, nil
}

// Connected reports whether session id's wrap is connected now.
func (h *Hub) Connected(id string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.connectedLocked(id)
}

// connOf is a live session and its wrap connection (ErrOffline: none).
func (h *Hub) connOf(id string) (*session, *wrapConn, error) {
	s, err := h.load(id)
	if err != nil {
		return nil, nil, err
	}
	s.mu.Lock()
	c := s.conn
	s.mu.Unlock()
	if c == nil {
		return nil, nil, ErrOffline
	}
	return s, c, nil
}
