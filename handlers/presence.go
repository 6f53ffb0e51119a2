package handlers

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/ct-dev/ct/auth"
	"github.com/ct-dev/ct/hub"
	"github.com/ct-dev/ct/views"
	"github.com/go-chi/chi/v5"
)

// presenceModel is who watches and drives session id, as p sees it.
func (s *Server) presenceModel(p auth.Principal, id string, node string) views.Presence {
	w, _ := s.hub.Wheel(id)
	m := views.Presence{SessionID: id, Holder: w.Holder, Requester: w.Requester, Typing: w.Typing, Terminal: w.Terminal,
		Me: p.User, CanDrive: p.CanDrive(node), Admin: p.IsAdmin()}
	for _, v := range s.hub.Viewers(id) {
		m.Viewers = append(m.Viewers, views.ViewerRow{User: v.User, Device: v.Device})
	}
	return m
}

// WheelChanged pushes the presence bar to everyone watching the session
// (rendered per person: the buttons depend on who looks) and refreshes
// the lobby's watcher counts.
func (st *streams) WheelChanged(sid string) {
	ss, err := st.s.store.GetSession(sid)
	if err != nil {
		return
	}
	id := st.nextID()
	for _, streamID := range st.following(topicSession(sid)) {
		st.mu.Lock()
		v := st.who[streamID]
		st.mu.Unlock()
		if v == nil {
			continue
		}
		m := st.s.presenceModel(v.p, sid, ss.Node)
		m.OOB = true
		var b bytes.Buffer
		_ = views.PresenceBar(m).Render(context.Background(), &b)
		st.publish([]string{streamID}, "screen", id, b.Bytes())
	}
	st.lobbySoon()
}

// lobbySoon refreshes open lobbies at most every 500 ms (presence changes
// come in bursts when many tabs open or close).
func (st *streams) lobbySoon() {
	st.mu.Lock()
	if st.lobbyPending {
		st.mu.Unlock()
		return
	}
	st.lobbyPending = true
	st.mu.Unlock()
	time.AfterFunc(500*time.Millisecond, func() {
		st.mu.Lock()
		st.lobbyPending = false
		st.mu.Unlock()
		if ids := st.following(topicLobby); len(ids) > 0 {
			st.publishLobby(ids)
		}
	})
}

// WheelAudit writes a wheel change to the audit log.
func (st *streams) WheelAudit(sid, actor, action, what string) {
	st.s.auditLog.Record(actor, action, sid+": "+what, "")
}

// handleSessionWheel takes the presence bar's buttons.
func (s *Server) handleSessionWheel(w http.ResponseWriter, r *http.Request) error {
	p := principal(r)
	id := chi.URLParam(r, "id")
	if _, err := s.visibleSession(p, id, true); err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return errorf(http.StatusBadRequest, "Bad form.")
	}
	action := hub.WheelAction(strings.TrimSpace(r.PostForm.Get("action")))
	if err := s.hub.DoWheel(id, p.User, p.IsAdmin(), action); err != nil {
		return errorf(http.StatusConflict, strings.ToUpper(err.Error()[:1])+err.Error()[1:]+".")
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
