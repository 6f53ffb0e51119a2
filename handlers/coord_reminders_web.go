package handlers

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/ct-dev/ct/coord"
	"github.com/ct-dev/ct/views"
	"github.com/go-chi/chi/v5"
)

// The inbox's reminders section: the viewer's reminders (made by them or
// sent to them) with forms to add one and delete their own. Forms post
// and redirect, like the rest of the inbox.

// coordForm starts a coordination form post: the viewer may write, is a
// peer, and the form (at most 100 KB, a message body's limit) is parsed.
func (s *Server) coordForm(w http.ResponseWriter, r *http.Request) (coord.Peer, coord.Viewer, error) {
	if err := canWrite(r); err != nil {
		return coord.Peer{}, coord.Viewer{}, err
	}
	peer, v, err := s.peerOf(r)
	if err != nil {
		return peer, v, coordErr(err)
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxCoordJSON)
	if err := r.ParseForm(); err != nil {
		return peer, v, errorf(http.StatusRequestEntityTooLarge, "the form is too large; a message or reminder is limited to 100 KB")
	}
	return peer, v, nil
}

// reminderRows are the reminders v made or receives, soonest first.
func (s *Server) reminderRows(v coord.Viewer) ([]views.ReminderRow, error) {
	list, err := s.coord.Reminders(v)
	if err != nil {
		return nil, err
	}
	var out []views.ReminderRow
	for _, r := range list {
		mine := r.Owner == v.Peer
		if !mine && !addressedToMe(coord.Message{To: r.To, Private: r.Private}, v) {
			continue
		}
		row := views.ReminderRow{ID: r.ID, Owner: r.Owner, To: r.To, Subject: r.Subject, Body: r.Body, Cron: r.Cron,
			Fired: r.Fired, CanDelete: mine || v.Admin}
		if !r.Next.IsZero() {
			row.Next = r.Next.Local().Format("Mon 2 Jan 15:04 MST")
		}
		out = append(out, row)
	}
	return out, nil
}

// reminderAt reads the form's "at" (a datetime-local value in the
// browser's zone tz, or a duration from now such as 90m).
func reminderAt(at, tz string, now time.Time) (*time.Time, string) {
	if at == "" {
		return nil, ""
	}
	if d, err := time.ParseDuration(at); err == nil {
		t := now.Add(d)
		return &t, ""
	}
	loc, err := time.LoadLocation(tz)
	if err != nil || len(tz) > 64 {
		loc = time.UTC
	}
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02T15:04:05"} {
		if t, err := time.ParseInLocation(layout, at, loc); err == nil {
			return &t, ""
		}
	}
	return nil, "When: give a date and time, or a duration from now such as 90m."
}

func (s *Server) handleInboxReminderAdd(w http.ResponseWriter, r *http.Request) error {
	peer, _, err := s.coordForm(w, r)
	if err != nil {
		return err
	}
	f := r.PostForm
	rem := coord.Reminder{To: strings.TrimSpace(f.Get("to")), Subject: f.Get("subject"), Body: f.Get("body"), Cron: strings.TrimSpace(f.Get("cron"))}
	if rem.To == "" {
		rem.To = peer.Name // a reminder to oneself
	}
	at, msg := reminderAt(strings.TrimSpace(f.Get("at")), f.Get("tz"), s.coord.Now())
	rem.At = at
	if msg == "" {
		var added coord.Reminder
		added, err = s.coord.AddReminder(peer.Name, rem)
		if ce, ok := err.(*coord.Error); ok {
			msg = ce.Msg
		} else if err != nil {
			return err
		} else {
			s.audit(r, "reminder.add", added.ID+" to "+added.To)
			msg = "Reminder #" + added.ID + " set."
		}
	}
	http.Redirect(w, r, "/inbox?"+url.Values{"flash": {msg}}.Encode()+"#reminders", http.StatusSeeOther)
	return nil
}

func (s *Server) handleInboxReminderDelete(w http.ResponseWriter, r *http.Request) error {
	peer, v, err := s.coordForm(w, r)
	if err != nil {
		return err
	}
	id := chi.URLParam(r, "reminder")
	msg := "Reminder #" + id + " deleted."
	if err := s.coord.DeleteReminder(peer.Name, id, v.Admin); err != nil {
		ce, ok := err.(*coord.Error)
		if !ok {
			return err
		}
		msg = ce.Msg
	} else {
		s.audit(r, "reminder.delete", id)
	}
	http.Redirect(w, r, "/inbox?"+url.Values{"flash": {msg}}.Encode()+"#reminders", http.StatusSeeOther)
	return nil
}
