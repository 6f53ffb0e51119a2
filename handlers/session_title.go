package handlers

import (
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/ct-dev/ct/db"
	"github.com/ct-dev/ct/views"
	"github.com/go-chi/chi/v5"
)

// maxTitleForm bounds the rename form's body: a title is at most
// db.MaxTitle runes (4 bytes each), with room for the field name.
const maxTitleForm = 4*db.MaxTitle + 1024

// handleSessionTitleShow is the rename form, for people who may drive the
// session's machine.
func (s *Server) handleSessionTitleShow(w http.ResponseWriter, r *http.Request) error {
	ss, err := s.visibleSession(principal(r), chi.URLParam(r, "id"), true)
	if err != nil {
		return err
	}
	return render(w, r, views.SessionTitlePage(titleModel(ss), ""))
}

// handleSessionTitleSave stores a new title (audited) and goes back to the
// session; every open page shows it through the status bar's live update.
func (s *Server) handleSessionTitleSave(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxTitleForm)
	if err := r.ParseForm(); err != nil {
		return errorf(http.StatusRequestEntityTooLarge, "The title is too long: give at most 100 characters.")
	}
	id := chi.URLParam(r, "id")
	ss, err := s.visibleSession(principal(r), id, true)
	if err != nil {
		return err
	}
	raw := strings.TrimSpace(r.PostForm.Get("title"))
	if utf8.RuneCountInString(raw) > db.MaxTitle || strings.ContainsAny(raw, "\r\n") {
		w.WriteHeader(http.StatusBadRequest)
		m := titleModel(ss)
		m.Custom = raw
		return render(w, r, views.SessionTitlePage(m, "Give a title of one line, at most 100 characters."))
	}
	ss, err = s.hub.SetTitle(id, raw, principal(r).User)
	if err != nil {
		return err
	}
	s.audit(r, "session.title", id+" #"+strconv.FormatUint(ss.Number, 10)+" "+quoteTitle(ss.Title))
	http.Redirect(w, r, "/s/"+id, http.StatusSeeOther)
	return nil
}

// titleModel is the part of the session page the rename form shows.
func titleModel(ss db.Session) views.Session {
	return views.Session{ID: ss.ID, Title: ss.Label(), Number: ss.Number, Name: ss.Name(), Custom: ss.Title,
		NamedBy: ss.TitleBy, Command: ss.CommandLine(), Node: ss.Node}
}

// quoteTitle is a title as the audit log records it ("(cleared)" for none).
func quoteTitle(t string) string {
	if t == "" {
		return "(cleared)"
	}
	return `"` + t + `"`
}
