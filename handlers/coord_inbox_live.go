package handlers

import (
	"net/http"

	"github.com/ct-dev/ct/coord"
	"github.com/ct-dev/ct/views"
	"github.com/go-chi/chi/v5"
)

// The inbox's live parts: the page keeps the viewer's /api/v1/events
// stream open; a message or receipt event reloads the list (GET
// /inbox/list with the page's query), a typing event reloads the "is
// typing" line. The compose box posts /inbox/typing while a person types;
// opening a message posts /inbox/{msg}/read, which tells its sender.

// handleInboxList is the list part of the inbox page, for the live reload.
func (s *Server) handleInboxList(w http.ResponseWriter, r *http.Request) error {
	in, _, err := s.inboxModel(r)
	if err != nil {
		return err
	}
	return render(w, r, views.InboxList(in))
}

// handleInboxRead marks one message read for the viewer (it opened it).
func (s *Server) handleInboxRead(w http.ResponseWriter, r *http.Request) error {
	_, v, err := s.coordForm(w, r)
	if err != nil {
		return err
	}
	if _, err := s.coord.Message(v, chi.URLParam(r, "msg"), true); err != nil {
		return coordErr(err)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// handleInboxTypingSet tells the compose box's addressee that the viewer
// is typing (the browser sends it every few seconds while they type).
func (s *Server) handleInboxTypingSet(w http.ResponseWriter, r *http.Request) error {
	peer, _, err := s.coordForm(w, r)
	if err != nil {
		return err
	}
	if err := s.coord.SetTyping(peer.Name, r.PostForm.Get("to"), r.PostForm.Get("re")); err != nil {
		return coordErr(err)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// handleInboxTypingShow is the "alice is typing…" line: who is typing to
// the viewer now (empty when nobody is).
func (s *Server) handleInboxTypingShow(w http.ResponseWriter, r *http.Request) error {
	_, v, err := s.peerOf(r)
	if err != nil {
		return coordErr(err)
	}
	var who []string
	for _, t := range s.coord.TypingTo(v) {
		who = append(who, t.From)
	}
	return render(w, r, views.InboxTyping(who, int(coord.TypingWindow.Seconds())))
}
