package handlers

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/ct-dev/ct/auth"
	"github.com/ct-dev/ct/db"
	"github.com/ct-dev/ct/hub"
	"github.com/ct-dev/ct/views"
	"github.com/go-chi/chi/v5"
)

// presenceModel is who watches and drives session ss, as p sees it. An
// ended session has watchers but no wheel.
func (s *Server) presenceModel(p auth.Principal, ss db.Session) views.Presence {
	id := ss.ID
	w, _ := s.hub.Wheel(id)
	m := views.Presence{SessionID: id, Holder: w.Holder, Requester: w.Requester, Typing: w.Typing, Terminal: w.Terminal,
		Me: p.User, CanDrive: p.CanDrive(ss.Node), Admin: p.IsAdmin(), Ended: ss.Status == db.StatusEnded}
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

// handleSessionFit takes fit mode's requests: cols and rows size the PTY to
// the viewer's screen (they must hold the wheel, which is taken when free);
// action=off gives the program its own size back.
func (s *Server) handleSessionFit(w http.ResponseWriter, r *http.Request) error {
	p := principal(r)
	id := chi.URLParam(r, "id")
	if _, err := s.visibleSession(p, id, true); err != nil {
		return err
	}
	r.Body = http.MaxBytesReader(w, r.Body, 1024)
	if err := r.ParseForm(); err != nil {
		return errorf(http.StatusBadRequest, "Bad form: send cols and rows, or action=off.")
	}
	if r.PostForm.Get("action") == "off" {
		if err := s.hub.Unfit(id, p.User); err != nil {
			return err
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	cols, errC := strconv.Atoi(r.PostForm.Get("cols"))
	rows, errR := strconv.Atoi(r.PostForm.Get("rows"))
	if errC != nil || errR != nil {
		return errorf(http.StatusBadRequest, "Send cols and rows as whole numbers (the screen's size in characters).")
	}
	if err := s.hub.Fit(id, p.User, cols, rows); err != nil {
		if errors.Is(err, hub.ErrNotHolder) || errors.Is(err, hub.ErrOffline) || errors.Is(err, hub.ErrNotFound) {
			return err
		}
		return errorf(http.StatusBadRequest, err.Error())
	}
	s.audit(r, "session.fit", id+" "+strconv.Itoa(cols)+"x"+strconv.Itoa(rows))
	w.WriteHeader(http.StatusNoContent)
	return nil
}
