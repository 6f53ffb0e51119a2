package handlers

import (
	"net/http"
	"strings"

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
