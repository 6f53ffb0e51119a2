package hub

import (
	"slices"
	"time"

	"github.com/ct-dev/ct/db"
)

// lostReason is what the lobby and the API say of a session whose node
// restarted without it.
const lostReason = "the node lost it"

// endLostSessions ends the sessions ct node started on node that it no
// longer runs (it was killed and restarted: its programs died with it, and
// their ends will never arrive). Sessions of plain ct wrap on the same
// machine, and any with a live connection, are left alone.
func (h *Hub) endLostSessions(node string, running []string) {
	all, err := h.store.Sessions()
	if err != nil {
		h.log.Warn("list sessions for a registering node", "node", node, "error", err)
		return
	}
	for _, ss := range all {
		if ss.Node != node || !ss.ByNode || ss.Status == db.StatusEnded || slices.Contains(running, ss.ID) || h.connected(ss.ID) {
			continue
		}
		ended, err := h.store.EndLost(ss.ID, lostReason, time.Now().UTC())
		if err != nil || !ended {
			continue
		}
		h.log.Info("session ended: the node lost it", "session", ss.ID, "node", node)
		h.closeSessionPrompts(ss.ID, "node-lost", "the node restarted without this session")
		h.forget(ss.ID)
	}
	h.notify().LobbyChanged()
}

// connected reports whether a wrap connection serves session id now.
func (h *Hub) connected(id string) bool {
	h.mu.Lock()
	s := h.sessions[id]
	h.mu.Unlock()
	if s == nil {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.conn != nil
}

// forget drops a session's in-memory state, so its next load reads the
// ended record from the store.
func (h *Hub) forget(id string) {
	h.mu.Lock()
	s := h.sessions[id]
	delete(h.sessions, id)
	h.mu.Unlock()
	if s != nil {
		s.stop()
	}
}
