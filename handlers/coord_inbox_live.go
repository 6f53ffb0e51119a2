package handlers

import (
	"net/http"
	"slices"

	"github.com/ct-dev/ct/coord"
	"github.com/ct-dev/ct/views"
	"github.com/go-chi/chi/v5"
	"github.com/yuin/goldmark"
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

// inboxPrivateMessages is how many of the private space's messages the
// inbox shows (newest first); box=private and the API list the rest.
const inboxPrivateMessages = 20

// inboxPrivate is the inbox's "Private" section for v, newest first.
func (s *Server) inboxPrivate(md goldmark.Markdown, v coord.Viewer) ([]views.CoordMsg, error) {
	msgs, err := s.coord.Messages(v, coord.MessageFilter{Box: "private", Limit: inboxPrivateMessages})
	if err != nil {
		return nil, err
	}
	now := s.coord.Now()
	var out []views.CoordMsg
	for _, m := range slices.Backward(msgs) {
		out = append(out, msgRow(md, m, v, now))
	}
	return out, nil
}

// handleInboxPrivate is the private section's list, for the live reload.
func (s *Server) handleInboxPrivate(w http.ResponseWriter, r *http.Request) error {
	_, v, err := s.peerOf(r)
	if err != nil {
		return coordErr(err)
	}
	priv, err := s.inboxPrivate(newMarkdown(), v)
	if err != nil {
		return err
	}
	return render(w, r, views.InboxPrivateList(views.Inbox{Me: v.Peer, Private: priv}))
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
