package hub

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/ct-dev/ct/db"
	"github.com/ct-dev/ct/wire"
)

// Limits on what a wrap may put in a prompt.
const (
	maxToolName    = 200
	maxPromptInput = 512 << 10
)

func newPromptID() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return fmt.Sprintf("%013x%s", time.Now().UnixMilli(), hex.EncodeToString(b))
}

// hubPromptID maps a wrap's prompt id to the hub's, per session.
func (s *session) hubPromptID(wrapID string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.promptIDs[wrapID]
}

// handleUnsequenced takes the envelopes that are not part of the session's
// ordered log.
func (c *wrapConn) handleUnsequenced(s *session, e wire.Envelope) {
	switch e.Type {
	case wire.TypePromptOpen:
		var p wire.PromptOpen
		if err := e.Decode(&p); err != nil {
			c.h.log.Warn("bad prompt.open", "session", c.session, "error", err)
			return
		}
		if !c.h.refuseExcessPrompt(c, p) {
			c.h.openPrompt(c, s, p)
		}
	case wire.TypePromptResult:
		var r wire.PromptResult
		if e.Decode(&r) == nil {
			c.h.promptResult(c, s, r)
		}
	case wire.TypePromptClosed:
		var pc wire.PromptClosed
		if e.Decode(&pc) != nil {
			return
		}
		c.h.closePrompt(s, pc)
	case wire.TypeSessionTail:
		var st wire.SessionTail
		if e.Decode(&st) == nil && st.Bytes > 0 {
			s.mu.Lock()
			s.tailBytes = st.Bytes
			s.mu.Unlock()
			c.h.notify().LobbyChanged()
		}
	case wire.TypePromptSync:
		var ps wire.PromptSync
		if e.Decode(&ps) == nil {
			c.h.syncPrompts(c, ps)
		}
	case wire.TypeTerminalActive:
		c.h.terminalActive(s)
	case wire.TypeAttachDone:
		var d wire.AttachDone
		if e.Decode(&d) == nil {
			s.attachDone(d)
		}
	case wire.TypeHookEvent:
		var he wire.HookEvent
		if e.Decode(&he) == nil {
			c.h.log.Debug("hook event", "session", c.session, "event", he.Event)
			s.agentEvent(he)
			c.h.titleFromHook(c.session, he)
			c.h.agentSessionFromHook(c.session, he)
			if he.Event == "Stop" || he.Event == "Notification" || he.Event == "SessionStart" {
				c.h.notify().LobbyChanged() // the session now waits for its person
			}
		}
	}
}

func (h *Hub) openPrompt(c *wrapConn, s *session, p wire.PromptOpen) {
	if p.ID == "" || len(p.ID) > 64 || p.Tool == "" || len(p.Tool) > maxToolName || len(p.Input) > maxPromptInput ||
		len(p.AgentID) > 200 || len(p.AgentType) > maxToolName || len(p.RuleBy) > 200 || (p.Change != nil && (len(p.Change.Diff) > wire.MaxChangeDiff+200 || len(p.Change.Label) > 100)) {
		h.log.Warn("prompt refused: missing or oversized fields", "session", c.session)
		return
	}
	rec := db.Prompt{
		ID: newPromptID(), WrapID: p.ID, SessionID: c.session, Node: c.node, Kind: p.Kind, Agent: p.Agent,
		Tool: p.Tool, Input: p.Input, Suggestions: p.Suggestions, Mode: p.Mode, Cwd: p.Cwd,
		State: db.PromptPending, CreatedAt: time.Now().UTC(),
		AgentID: p.AgentID, AgentType: p.AgentType, Change: p.Change, AskedAt: p.AskedAt,
	}
	if p.RuleBy != "" {
		// Allowed on the workstation by the session rule this person set
		// ("allow for this session" on the same request): a record, not a question.
		rec.State, rec.Decision, rec.Scope, rec.DecidedBy, rec.Device, rec.DecidedAt =
			db.PromptAllowed, wire.DecisionAllow, ScopeRule, p.RuleBy, "session rule", rec.CreatedAt
	}
	var auto *Decision
	if p.RuleBy == "" {
		auto = h.applyPolicy(&rec)
	}
	if err := h.store.PutPrompt(rec); err != nil {
		h.log.Error("store prompt", "session", c.session, "error", err)
		return
	}
	s.mu.Lock()
	s.promptIDs[p.ID] = rec.ID
	s.turnEnded = false // a question is open: nothing may be typed on the hub's initiative
	s.mu.Unlock()
	h.log.Info("prompt opened", "prompt", rec.ID, "session", c.session, "tool", p.Tool)
	if auto != nil {
		go h.autoDecide(rec, *auto) // pages hear of it once it is settled (or falls back to a person)
		return
	}
	h.notify().PromptsChanged(c.session, rec.ID)
}

// ScopeRule is the Scope of a prompt the wrap allowed by a session rule.
const ScopeRule = "rule"

// refusedAtTerminal starts the detail of a question the wrap saw refused at
// the terminal (Esc, or the dialog's "No").
const refusedAtTerminal = "refused at the terminal"

func (h *Hub) closePrompt(s *session, pc wire.PromptClosed) {
	id := s.hubPromptID(pc.ID)
	if id == "" {
		return
	}
	p, err := h.store.UpdatePrompt(id, func(p *db.Prompt) error {
		switch {
		case p.State == db.PromptPending:
			p.State, p.ClosedBy, p.Detail, p.DecidedAt = db.PromptClosed, pc.By, pc.Detail, time.Now().UTC()
			if pc.By == "terminal" {
				p.DecidedBy, p.Device = "the terminal", "terminal"
				if strings.HasPrefix(pc.Detail, refusedAtTerminal) {
					p.Decision = wire.DecisionDeny
				}
			}
		case p.ClosedBy == "terminal" && pc.By == "terminal" && pc.Detail != "":
			p.Detail = pc.Detail // e.g. learned later that it was allowed
			if strings.HasPrefix(pc.Detail, "allowed") {
				p.Decision = wire.DecisionAllow
			}
		default:
			return ErrSettled
		}
		return nil
	})
	if err != nil {
		return
	}
	h.log.Info("prompt closed", "prompt", p.ID, "by", pc.By, "detail", pc.Detail)
	if pc.By == "terminal" && strings.HasPrefix(pc.Detail, refusedAtTerminal) && p.AgentID == "" {
		s.interrupted()
		h.notify().LobbyChanged()
	}
	h.notify().PromptsChanged(p.SessionID, p.ID)
}

// settledBy says, for a person, how a prompt was settled.
func settledBy(p db.Prompt) string {
	switch {
	case p.Device == db.DevicePolicy && p.State == db.PromptAllowed:
		return "allowed by " + p.DecidedBy
	case p.Device == db.DevicePolicy && p.State == db.PromptDenied:
		return "denied by " + p.DecidedBy
	}
	switch p.State {
	case db.PromptAllowed:
		if p.Policy != nil && len(p.Policy.Approvals) > 0 {
			return "approved by " + strings.Join(p.Policy.Approvals, ", ") + " and " + p.DecidedBy
		}
		return "approved by " + p.DecidedBy
	case db.PromptDenied:
		return "denied by " + p.DecidedBy
	}
	switch p.ClosedBy {
	case "terminal":
		return "answered at the terminal"
	case "disconnected":
		return "the workstation disconnected; it is answered at the terminal"
	case "hub-restart":
		return "the hub restarted; it is answered at the terminal"
	case "terminal-only":
		return "the session answers at the terminal only"
	}
	if p.Detail != "" {
		return p.Detail
	}
	return "closed"
}

// SettledBy is settledBy for the pages.
func SettledBy(p db.Prompt) string { return settledBy(p) }

// SetTerminalOnly switches a session to answering prompts only at its
// terminal (or back) and tells its wrap.
func (h *Hub) SetTerminalOnly(id string, on bool) error {
	if _, err := h.store.SetTerminalOnly(id, on); err != nil {
		return err
	}
	s, err := h.load(id)
	if err != nil {
		return err
	}
	s.mu.Lock()
	c := s.conn
	s.mu.Unlock()
	if c != nil {
		e, _ := wire.New(wire.TypeSessionSettings, wire.SessionSettings{TerminalOnly: on})
		e.SessionID = id
		_ = c.send(e)
	}
	h.notify().LobbyChanged()
	return nil
}

// closeSessionPrompts closes what a vanished connection left pending.
func (h *Hub) closeSessionPrompts(sessionID, by, detail string) {
	closed, err := h.store.ClosePending(db.PromptFilter{SessionID: sessionID}, by, detail)
	if err != nil {
		h.log.Warn("close prompts", "session", sessionID, "error", err)
	}
	for _, p := range closed {
		h.notify().PromptsChanged(p.SessionID, p.ID)
	}
}
