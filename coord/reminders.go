package coord

import (
	"encoding/json"
	"math"
	"strconv"
	"time"

	"github.com/ct-dev/ct/db"
	"github.com/robfig/cron/v3"
)

const bReminders = "coord_reminders"

// LateAfter is how far past its time a reminder may fire and still not be
// flagged late: more than the firing loop's tick, far less than a restart.
const LateAfter = 30 * time.Second

// Reminder is a message sent on a schedule: Cron (standard five fields or
// @hourly-style descriptors, parsed by robfig/cron) or once At a time.
type Reminder struct {
	ID    string `json:"id"`
	Owner string `json:"owner"` // the peer that made it; its messages come from this peer
	To    string `json:"to"`
	// Private is the user whose private space it writes into (To "me"),
	// set by the hub only: only they and their agents list it.
	Private   string     `json:"private,omitempty"`
	Subject   string     `json:"subject,omitempty"`
	Body      string     `json:"body"`
	Priority  string     `json:"priority,omitempty"`
	Cron      string     `json:"cron,omitempty"`
	At        *time.Time `json:"at,omitempty"`
	Next      time.Time  `json:"next,omitzero"` // when it fires next; zero once a one-off has fired
	Done      bool       `json:"done,omitempty"`
	Fired     int        `json:"fired"`
	LastFired time.Time  `json:"last_fired,omitzero"`
	CreatedAt time.Time  `json:"created_at"`
}

var cronParser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// AddReminder schedules r for owner. Exactly one of Cron and At is set.
func (s *Service) AddReminder(owner string, r Reminder) (Reminder, error) {
	now := s.clock.Now().UTC()
	r.Owner, r.Done, r.Fired, r.LastFired, r.CreatedAt = owner, false, 0, time.Time{}, now
	r.Private = "" // the hub's to set, from To (remindTarget)
	switch {
	case (r.Cron == "") == (r.At == nil):
		return Reminder{}, errf(Invalid, "a reminder needs exactly one of cron (e.g. \"0 9 * * 1-5\") or at (an RFC 3339 time)")
	case r.Cron != "":
		sched, err := cronParser.Parse(r.Cron)
		if err != nil {
			return Reminder{}, errf(Invalid, "cron %q: %v (five fields: minute hour day-of-month month day-of-week, or @hourly, @daily, @every 10m)", r.Cron, err)
		}
		if gap := shortestGap(sched, now); gap < s.lim.MinReminderInterval {
			return Reminder{}, errf(Invalid, "cron %q fires every %s; this hub allows reminders at most every %s (ct serve --min-reminder-interval)", r.Cron, gap, s.lim.MinReminderInterval)
		}
		r.Next = sched.Next(now)
	default:
		if !r.At.After(now) {
			return Reminder{}, errf(Invalid, "at %s is in the past; give a future time", r.At.Format(time.RFC3339))
		}
		at := r.At.UTC()
		r.At, r.Next = &at, at
	}
	m := r.message()
	if err := m.validate(); err != nil {
		return Reminder{}, err
	}
	r.Priority = m.Priority
	err := s.store.CoordUpdate(func(tx db.CoordTx) error {
		if err := remindTarget(tx, &r); err != nil {
			return err
		}
		n, err := tx.NextSeq(bReminders)
		if err != nil {
			return err
		}
		r.ID = strconv.FormatUint(n, 10)
		return tx.Put(bReminders, db.SeqKey(n), r)
	})
	if err != nil {
		return Reminder{}, err
	}
	return r, nil
}

// remindTarget checks r's recipient: a peer, @group or *, or the private
// space of the user its owner acts for ("me", stored as private:USER so
// every firing goes there; another user's space is NotFound).
func remindTarget(tx db.CoordTx, r *Reminder) error {
	priv, err := privateOwner(r.To, ownerOf(tx, r.Owner))
	if err != nil {
		return err
	}
	if priv != "" {
		r.To, r.Private = PrivateAddress(priv), priv
		return nil
	}
	if r.To != "*" && r.To[0] != '@' {
		var p Peer
		if tx.Get(bPeers, []byte(r.To), &p) != nil {
			return errf(NotFound, "no peer named %q to remind; give a peer, @group, * or me (your private space)", r.To)
		}
	}
	return nil
}

// shortestGap is the least time between firings of sched over its next
// hundred (a five-field schedule repeats within that for every realistic
// spec; @every is constant).
func shortestGap(sched cron.Schedule, from time.Time) time.Duration {
	gap := time.Duration(math.MaxInt64)
	t := sched.Next(from)
	for range 100 {
		next := sched.Next(t)
		if next.IsZero() {
			break
		}
		gap = min(gap, next.Sub(t))
		t = next
	}
	return gap
}

func (r *Reminder) message() Message {
	subj := r.Subject
	if subj == "" {
		subj = "Reminder"
	}
	return Message{From: r.Owner, To: r.To, Subject: subj, Body: r.Body, Priority: r.Priority, Type: "note", Source: "reminder:" + r.ID}
}

// Reminders lists the reminders v may see, oldest first (fired one-offs
// included, Done): every shared one, and private ones only in v's own
// space (never another user's, an admin's view included).
func (s *Service) Reminders(v Viewer) ([]Reminder, error) {
	var out []Reminder
	err := s.store.CoordView(func(tx db.CoordTx) error {
		return tx.Each(bReminders, false, func(_, val []byte) (bool, error) {
			var r Reminder
			if err := json.Unmarshal(val, &r); err != nil {
				return false, err
			}
			if r.Private == "" || r.Private == v.Owner {
				out = append(out, r)
			}
			return true, nil
		})
	})
	return out, err
}

// DeleteReminder removes reminder id; only its owner or an admin may.
func (s *Service) DeleteReminder(by, id string, admin bool) error {
	n, err := strconv.ParseUint(id, 10, 64)
	if err != nil {
		return errf(NotFound, "no reminder %q", id)
	}
	return s.store.CoordUpdate(func(tx db.CoordTx) error {
		var r Reminder
		if tx.Get(bReminders, db.SeqKey(n), &r) != nil {
			return errf(NotFound, "no reminder %q", id)
		}
		if r.Private != "" && r.Owner != by && ownerOf(tx, by) != r.Private {
			return errf(NotFound, "no reminder %q", id) // someone else's private space: as if absent
		}
		if r.Owner != by && !admin && r.Private == "" {
			return errf(Forbidden, "reminder %s belongs to %s", id, r.Owner)
		}
		return tx.Delete(bReminders, db.SeqKey(n))
	})
}

// FireDue sends every reminder whose time has come, once: the message and
// the reminder's next time are written in one transaction, so a crash or
// restart can neither lose nor repeat a firing. A reminder missed while
// the hub was down fires once (not once per missed time), flagged Late.
func (s *Service) FireDue() ([]Message, error) {
	now := s.clock.Now().UTC()
	var sent []Message
	err := s.store.CoordUpdate(func(tx db.CoordTx) error {
		var due []Reminder
		err := tx.Each(bReminders, false, func(_, v []byte) (bool, error) {
			var r Reminder
			if err := json.Unmarshal(v, &r); err != nil {
				return false, err
			}
			if !r.Done && !r.Next.IsZero() && !r.Next.After(now) {
				due = append(due, r)
			}
			return true, nil
		})
		if err != nil {
			return err
		}
		// Collected above, written here: no writes while iterating.
		for _, r := range due {
			m := r.message()
			m.Late = now.Sub(r.Next) > LateAfter
			if err := m.validate(); err != nil {
				return err
			}
			if err := s.sendTx(tx, &m); err != nil {
				s.log.Warn("reminder cannot be delivered", "reminder", r.ID, "error", err)
				r.Done = true // its recipient is gone: stop, rather than fail every tick
			} else {
				sent = append(sent, m)
			}
			r.Fired++
			r.LastFired = now
			if r.Cron != "" && !r.Done {
				sched, err := cronParser.Parse(r.Cron)
				if err != nil {
					return err
				}
				r.Next = sched.Next(now)
			} else {
				r.Done, r.Next = true, time.Time{}
			}
			n, _ := strconv.ParseUint(r.ID, 10, 64)
			if err := tx.Put(bReminders, db.SeqKey(n), r); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for i := range sent {
		s.bus.Publish(Event{Type: "message", At: now, Message: &sent[i]})
	}
	return sent, nil
}
