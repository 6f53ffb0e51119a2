package coord

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/ct-dev/ct/db"
)

// Deadlines: a message that asks for an answer by a time and has none
// when the time comes is escalated once: the hub tells its sender and its
// addressee with a message of one priority higher (a P1 question becomes
// a P0 notice, which reaches people's phones), and the message shows in
// both sides' "needs attention" until someone answers it.

// bDue indexes messages with a deadline: 8-byte big-endian deadline (Unix
// nanoseconds) then the message's 8-byte seq -> true. The loop reads only
// the entries whose time has come instead of every message each tick.
const bDue = "coord_msg_due"

// HubSender is the sender of the messages the hub writes itself. No peer
// can take the name: peer names start with a letter or a digit.
const HubSender = "(hub)"

func dueKey(m *Message, seq uint64) []byte {
	k := make([]byte, 16)
	binary.BigEndian.PutUint64(k, uint64(max(0, m.Deadline.UnixNano())))
	binary.BigEndian.PutUint64(k[8:], seq)
	return k
}

// seqOf is the number in a message's 8-byte key.
func seqOf(k []byte) uint64 { return binary.BigEndian.Uint64(k) }

// indexDeadline adds m (just stored) to the deadline index when it asks
// for an answer by a time.
func indexDeadline(tx db.CoordTx, m *Message) error {
	if !m.RequiresResponse || m.Deadline == nil {
		return nil
	}
	seq, err := strconv.ParseUint(m.ID, 10, 64)
	if err != nil {
		return err
	}
	return tx.Put(bDue, dueKey(m, seq), true)
}

// answered reports whether anyone m was for has answered (acknowledged or
// replied to) it.
func answered(m *Message) bool {
	for peer, r := range m.Receipts {
		if !r.AckedAt.IsZero() && (peer != m.From || m.To == m.From) {
			return true
		}
	}
	return false
}

// EscalateDue escalates every message whose deadline has passed without an
// answer, once: the mark on the message, the index entry's removal and the
// two notices are one transaction, so a restart neither loses nor repeats
// one. It returns the messages escalated (for the audit log).
func (s *Service) EscalateDue() ([]Message, error) {
	now := s.clock.Now().UTC()
	var escalated, notices []Message
	err := s.store.CoordUpdate(func(tx db.CoordTx) error {
		var due [][]byte
		err := tx.Each(bDue, false, func(k, _ []byte) (bool, error) {
			if len(k) != 16 || int64(binary.BigEndian.Uint64(k)) > now.UnixNano() {
				return false, nil
			}
			due = append(due, bytes.Clone(k))
			return true, nil
		})
		if err != nil {
			return err
		}
		for _, k := range due { // collected above, written here
			if err := tx.Delete(bDue, k); err != nil {
				return err
			}
			var m Message
			if tx.Get(bMessages, k[8:], &m) != nil || !m.EscalatedAt.IsZero() || answered(&m) {
				continue // cleaned up, already told, or answered in time
			}
			m.EscalatedAt = now
			if err := tx.Put(bMessages, k[8:], m); err != nil {
				return err
			}
			escalated = append(escalated, m)
			for _, to := range escalationTo(&m) {
				e := escalation(&m, to)
				if err := s.sendTx(tx, &e); err != nil {
					s.log.Warn("deadline notice cannot be delivered", "message", m.ID, "to", to, "error", err)
					continue
				}
				notices = append(notices, e)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for i := range notices {
		s.bus.Publish(Event{Type: "message", At: now, Message: &notices[i]})
	}
	return escalated, nil
}

// escalationTo is who hears of m's missed deadline: its addressee and its
// sender (once when they are the same).
func escalationTo(m *Message) []string {
	if m.Via != "" {
		// NAME@HUB is on another hub: its bridge may be gone, and that
		// hub escalates its own copy's deadline there.
		return []string{m.From}
	}
	if m.To == m.From {
		return []string{m.To}
	}
	return []string{m.To, m.From}
}

// escalation is the hub's notice to one side of m's missed deadline: in
// m's thread, one priority higher.
func escalation(m *Message, to string) Message {
	subj := m.Subject
	if subj == "" {
		subj = "message #" + m.ID
	}
	subj = "Overdue: " + subj
	if len(subj) > MaxSubject {
		subj = subj[:MaxSubject-3] + "..."
	}
	body := fmt.Sprintf("Message #%s from %s to %s asked for an answer by %s and has none yet. Answer it (reply, or ack_message) so the sender can go on.",
		m.ID, m.From, m.To, m.Deadline.UTC().Format("2006-01-02 15:04 MST"))
	return Message{From: HubSender, To: to, Priority: raise(m.Priority), Type: "note", Subject: subj, Body: body,
		Re: m.ID, Source: "deadline:" + m.ID}
}

// raise is one priority higher: P3 -> P2 ... P1 -> P0 (and P0 stays).
func raise(p string) string {
	for i, q := range Priorities {
		if q == p && i > 0 {
			return Priorities[i-1]
		}
	}
	return Priorities[0]
}

// Overdue lists the escalated messages still unanswered that v sent or
// that are for v, newest first (at most 20): the "needs attention" rows
// that stay until someone answers, however old the message.
func (s *Service) Overdue(v Viewer) ([]Message, error) {
	var out []Message
	err := s.store.CoordView(func(tx db.CoordTx) error {
		return tx.Each(bMessages, true, func(_, val []byte) (bool, error) {
			var m Message
			if err := json.Unmarshal(val, &m); err != nil {
				return false, err
			}
			if !m.EscalatedAt.IsZero() && !answered(&m) && (m.From == v.Peer || addressedTo(&m, v.Peer, v.Groups)) {
				out = append(out, m)
			}
			return len(out) < 20, nil
		})
	})
	return out, err
}
