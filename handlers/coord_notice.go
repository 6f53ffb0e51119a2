package handlers

import (
	"net/http"
	"strings"
	"time"
	"unicode"

	"github.com/ct-dev/ct/coord"
	"github.com/ct-dev/ct/db"
	"github.com/ct-dev/ct/hub"
)

// Prompt notices: when a message reaches an agent peer that opted in
// (notify_prompt) and names its ct session, and that session waits for
// input with nobody holding the wheel, the hub types one short line into
// it: who wrote and how to read it. The notice is only text for the agent
// to act on through its own tools; it grants nothing (approvals stay with
// people), and it never interrupts a person typing or an agent working.

// noticeMax bounds the typed line: a notice, not the message.
const noticeMax = 160

// checkPeerSession refuses a session the caller may not drive: the hub
// types into it on the caller's behalf.
func (s *Server) checkPeerSession(r *http.Request, u coord.PeerUpdate) error {
	if u.Session == nil || *u.Session == "" {
		return nil
	}
	_, err := s.visibleSession(principal(r), *u.Session, true)
	return err
}

// runPromptNotices follows every message until the bus closes.
func (s *Server) runPromptNotices() {
	for {
		sub := s.coord.Bus().Subscribe("", nil, true)
		for e := range sub.C {
			if e.Message != nil && e.Message.From != "" {
				s.promptNotices(e.Message)
			}
		}
		if s.coord.Bus().Closed() {
			return
		}
		time.Sleep(100 * time.Millisecond) // evicted (a flood): take a breath, then follow again
	}
}

func (s *Server) promptNotices(m *coord.Message) {
	peers, err := s.coord.Peers()
	if err != nil {
		return
	}
	for _, p := range peers {
		if !p.NotifyPrompt || p.Session == "" || p.Name == m.From || !coord.AddressedTo(m, p.Name, p.Groups) {
			continue
		}
		s.noticeWhenWaiting(p, m, 0)
	}
}

// Retry a notice while the session is busy: every noticeRetry for up to
// noticeWait, then give up (the message waits in the inbox regardless).
const (
	noticeRetry = 2 * time.Second
	noticeWait  = 2 * time.Minute
)

// noticeWhenWaiting types the notice once the session waits for input,
// unless the agent has read the message by then.
func (s *Server) noticeWhenWaiting(p coord.Peer, m *coord.Message, tries int) {
	ss, err := s.store.GetSession(p.Session)
	if err != nil || s.coord.Bus().Closed() {
		return
	}
	if cur, err := s.coord.Message(coord.Viewer{Peer: p.Name, Groups: p.Groups}, m.ID, false); err != nil || !cur.Receipts[p.Name].ReadAt.IsZero() {
		return // read already (or gone): no notice needed
	}
	st := s.hub.State(ss)
	w, _ := s.hub.Wheel(ss.ID)
	if (st != hub.StateWaitingInput && st != hub.StateIdle) || w.Holder != "" { // busy, or a person is driving
		if st != hub.StateEnded && st != hub.StateOffline && tries < int(noticeWait/noticeRetry) {
			time.AfterFunc(noticeRetry, func() { s.noticeWhenWaiting(p, m, tries+1) })
		}
		return
	}
	if err := s.hub.Input(ss.ID, []byte(noticeLine(m))); err != nil {
		s.log.Debug("prompt notice not typed", "session", ss.ID, "error", err)
		return
	}
	// Enter on its own, a moment later: Claude Code takes a pasted line
	// with its newline as a paste, not as a submit.
	time.AfterFunc(150*time.Millisecond, func() { _ = s.hub.Input(ss.ID, []byte("\r")) })
	s.auditor.add(db.AuditEntry{Time: time.Now(), Actor: "hub", Action: "input.notice", Subject: ss.ID + " for " + p.Name + " (message " + m.ID + ")"})
	s.log.Info("prompt notice typed", "session", ss.ID, "peer", p.Name, "message", m.ID)
}

// noticeLine is the typed notice: printable characters only, bounded.
func noticeLine(m *coord.Message) string {
	subj := m.Subject
	if subj == "" {
		subj, _, _ = strings.Cut(m.Body, "\n")
	}
	line := "[ct] new message #" + m.ID + " (" + m.Priority + " " + m.Type + ") from " + m.From + ": " + subj + " - read it with your check_messages tool"
	line = strings.Map(func(r rune) rune {
		if unicode.IsPrint(r) {
			return r
		}
		return ' '
	}, line)
	if len(line) > noticeMax {
		line = line[:noticeMax]
	}
	return line
}
