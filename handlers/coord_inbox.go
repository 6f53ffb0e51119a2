package handlers

import (
	"net/http"
	"net/url"
	"slices"

	"github.com/ct-dev/ct/coord"
	"github.com/ct-dev/ct/views"
	"github.com/go-chi/chi/v5"
)

// The inbox page: search, threads, compose. Forms post and redirect (no
// script needed); the list reloads itself over the viewer's live stream
// (coord_inbox_live.go) when a message, receipt or typing signal arrives.

func (s *Server) handleInboxShow(w http.ResponseWriter, r *http.Request) error {
	in, v, err := s.inboxModel(r)
	if err != nil {
		return err
	}
	if in.Reminders, err = s.reminderRows(v); err != nil {
		return err
	}
	return render(w, r, views.InboxPage(in))
}

// inboxModel is the inbox list the query asks for; opening a thread (re)
// marks its messages to the viewer read, which tells their senders.
func (s *Server) inboxModel(r *http.Request) (views.Inbox, coord.Viewer, error) {
	_, v, err := s.peerOf(r)
	if err != nil {
		return views.Inbox{}, v, coordErr(err)
	}
	q := r.URL.Query()
	in := views.Inbox{Me: v.Peer, Box: q.Get("box"), Query: q.Get("q"), Re: q.Get("re"), CanWrite: canWrite(r) == nil, Flash: q.Get("flash")}
	if in.Box == "" {
		in.Box = "all"
	}
	f := coord.MessageFilter{Box: in.Box, Query: in.Query, Re: in.Re, Limit: 100}
	if in.Re != "" {
		f.Box = "hub" // the whole thread the viewer may see: an admin follows a citation into others' threads too
	}
	msgs, err := s.coord.Messages(v, f)
	if err != nil {
		return in, v, err
	}
	if in.Re == "" {
		slices.Reverse(msgs) // newest first; a thread reads oldest first
	}
	md, now := newMarkdown(), s.coord.Now()
	if in.Private, err = s.inboxPrivate(md, v); err != nil {
		return in, v, err
	}
	for _, m := range msgs {
		if m.Private != "" && in.Box != "private" && in.Re == "" {
			continue // shown in the Private section, not twice
		}
		if in.Re != "" && m.From != v.Peer && m.From != coord.HubSender && in.ReplyTo == "" {
			in.ReplyTo = m.From // reply to whoever wrote to me in this thread (the hub's deadline notices take no reply)
		}
		if in.Re != "" && m.From != v.Peer && m.Receipts[v.Peer].ReadAt.IsZero() {
			if read, err := s.coord.Message(v, m.ID, true); err == nil { // opening a thread reads it
				m = read
			}
		}
		in.Messages = append(in.Messages, msgRow(md, m, v, now))
	}
	return in, v, nil
}

func (s *Server) handleInboxSend(w http.ResponseWriter, r *http.Request) error {
	peer, _, err := s.coordForm(w, r)
	if err != nil {
		return err
	}
	f := r.PostForm
	m, err := s.coord.Send(peer.Name, coord.Message{To: f.Get("to"), Subject: f.Get("subject"), Body: f.Get("body"),
		Priority: f.Get("priority"), Re: f.Get("re")})
	back := url.Values{}
	if re := f.Get("re"); re != "" {
		back.Set("re", re)
	}
	if err != nil {
		ce, ok := err.(*coord.Error)
		if !ok {
			return err
		}
		back.Set("flash", ce.Msg)
	} else {
		s.audit(r, "message.send", coord.AuditLine(m))
	}
	http.Redirect(w, r, "/inbox?"+back.Encode(), http.StatusSeeOther)
	return nil
}

// handleInboxAck acknowledges a message addressed to the viewer that asks
// for an answer, and goes back to where the person was.
func (s *Server) handleInboxAck(w http.ResponseWriter, r *http.Request) error {
	_, v, err := s.coordForm(w, r)
	if err != nil {
		return err
	}
	id := chi.URLParam(r, "msg")
	back := url.Values{}
	if re := r.PostForm.Get("re"); re != "" {
		back.Set("re", re)
	}
	if _, err := s.coord.Ack(v, id); err != nil {
		ce, ok := err.(*coord.Error)
		if !ok {
			return err
		}
		back.Set("flash", ce.Msg)
	} else {
		s.audit(r, "message.ack", id+" by "+v.Peer)
		back.Set("flash", "Acknowledged #"+id+".")
	}
	http.Redirect(w, r, "/inbox?"+back.Encode(), http.StatusSeeOther)
	return nil
}
