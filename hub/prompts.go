package hub

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/ct-dev/ct/db"
	"github.com/ct-dev/ct/wire"
)

// ErrSettled is returned (wrapped, with who settled it) when an answer comes
// after the question was already settled.
var ErrSettled = errors.New("this question was already settled")

// decideWait bounds how long a person's answer waits for the workstation to
// confirm it won; past that the answer is refused and the dialog stands.
const decideWait = 5 * time.Second

// Limits on what a wrap may put in a prompt.
const (
	maxToolName    = 200
	maxPromptInput = 512 << 10
)

// prompts tracks a connection's questions awaiting a result from the wrap.
type promptWaits struct {
	mu      sync.Mutex
	results map[string]chan wire.PromptResult // wrap id -> waiting Decide
}

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
		if e.Decode(&r) != nil {
			return
		}
		c.waits.mu.Lock()
		ch := c.waits.results[r.ID]
		delete(c.waits.results, r.ID)
		c.waits.mu.Unlock()
		if ch != nil {
			ch <- r // buffered: never blocks the read loop
		}
	case wire.TypePromptClosed:
		var pc wire.PromptClosed
		if e.Decode(&pc) != nil {
			return
		}
		c.h.closePrompt(s, pc)
	case wire.TypeTerminalActive:
		c.h.terminalActive(s)
	case wire.TypeHookEvent:
		var he wire.HookEvent
		if e.Decode(&he) == nil {
			c.h.log.Debug("hook event", "session", c.session, "event", he.Event)
			s.agentEvent(he.Event)
			if he.Event == "Stop" || he.Event == "Notification" {
				c.h.notify().LobbyChanged() // the session now waits for its person
			}
		}
	}
}

func (h *Hub) openPrompt(c *wrapConn, s *session, p wire.PromptOpen) {
	if p.ID == "" || len(p.ID) > 64 || p.Tool == "" || len(p.Tool) > maxToolName || len(p.Input) > maxPromptInput {
		h.log.Warn("prompt refused: missing or oversized fields", "session", c.session)
		return
	}
	rec := db.Prompt{
		ID: newPromptID(), WrapID: p.ID, SessionID: c.session, Node: c.node, Kind: p.Kind, Agent: p.Agent,
		Tool: p.Tool, Input: p.Input, Suggestions: p.Suggestions, Mode: p.Mode, Cwd: p.Cwd,
		State: db.PromptPending, CreatedAt: time.Now().UTC(),
	}
	if err := h.store.PutPrompt(rec); err != nil {
		h.log.Error("store prompt", "session", c.session, "error", err)
		return
	}
	s.mu.Lock()
	s.promptIDs[p.ID] = rec.ID
	s.mu.Unlock()
	h.log.Info("prompt opened", "prompt", rec.ID, "session", c.session, "tool", p.Tool)
	h.notify().PromptsChanged(c.session, rec.ID)
}

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
	h.notify().PromptsChanged(p.SessionID, p.ID)
}

// Decision is a person's answer to a prompt.
type Decision struct {
	Decision string // allow | deny
	Message  string // to the agent, with deny
	Scope    string // once | session
	By       string // who answered
	Device   string // phone | desktop | api
}

// Validate checks a decision's fields.
func (d Decision) Validate() error {
	if d.Decision != wire.DecisionAllow && d.Decision != wire.DecisionDeny {
		return fmt.Errorf(`decision must be "allow" or "deny", not %q`, d.Decision)
	}
	if d.Scope != "" && d.Scope != "once" && d.Scope != "session" {
		return fmt.Errorf(`scope must be "once" or "session", not %q`, d.Scope)
	}
	if d.Scope == "session" && d.Decision != wire.DecisionAllow {
		return errors.New(`scope "session" goes with "allow" only`)
	}
	if len(d.Message) > 4096 {
		return errors.New("message is over 4096 characters")
	}
	return nil
}

// Decide delivers a person's answer. It returns only once the workstation
// has confirmed that this answer won (the prompt is then allowed or denied),
// or with ErrSettled when the question had already been answered elsewhere.
func (h *Hub) Decide(ctx context.Context, promptID string, d Decision) (db.Prompt, error) {
	if err := d.Validate(); err != nil {
		return db.Prompt{}, err
	}
	p, err := h.store.GetPrompt(promptID)
	if err != nil {
		return p, err
	}
	if p.State != db.PromptPending {
		return p, fmt.Errorf("%w: %s", ErrSettled, settledBy(p))
	}
	if p.Kind == "screen" {
		p, err = h.decideScreen(p, d)
		if errors.Is(err, ErrSettled) {
			cur, _ := h.store.GetPrompt(promptID)
			return cur, fmt.Errorf("%w: %s", ErrSettled, settledBy(cur))
		}
		if err == nil {
			h.notify().PromptsChanged(p.SessionID, p.ID)
		}
		return p, err
	}
	s, err := h.load(p.SessionID)
	if err != nil {
		return p, err
	}
	s.mu.Lock()
	c := s.conn
	s.mu.Unlock()
	if c == nil {
		return p, ErrOffline
	}
	ch := make(chan wire.PromptResult, 1)
	c.waits.mu.Lock()
	c.waits.results[p.WrapID] = ch
	c.waits.mu.Unlock()
	e, _ := wire.New(wire.TypePromptDecide, wire.PromptDecide{ID: p.WrapID, Decision: d.Decision, Message: d.Message, Scope: d.Scope, By: d.By})
	e.SessionID = p.SessionID
	if err := c.send(e); err != nil {
		return p, err
	}
	var res wire.PromptResult
	select {
	case res = <-ch:
	case <-time.After(decideWait):
		return p, fmt.Errorf("%w: the workstation did not confirm in time; answer at the terminal", ErrSettled)
	case <-ctx.Done():
		return p, ctx.Err()
	}
	if !res.Accepted {
		// Settled at the terminal first; the wrap's prompt.closed says how.
		cur, _ := h.store.GetPrompt(promptID)
		reason := res.Reason
		if cur.State != db.PromptPending {
			reason = settledBy(cur)
		}
		return cur, fmt.Errorf("%w: %s", ErrSettled, reason)
	}
	p, err = h.store.UpdatePrompt(promptID, func(p *db.Prompt) error {
		p.Decision, p.Message, p.Scope, p.DecidedBy, p.Device = d.Decision, d.Message, d.Scope, d.By, d.Device
		p.DecidedAt = time.Now().UTC()
		p.State = db.PromptAllowed
		if d.Decision == wire.DecisionDeny {
			p.State = db.PromptDenied
		}
		return nil
	})
	if err != nil {
		return p, err
	}
	h.log.Info("prompt decided", "prompt", p.ID, "decision", d.Decision, "by", d.By, "device", d.Device)
	h.notify().PromptsChanged(p.SessionID, p.ID)
	return p, nil
}

// settledBy says, for a person, how a prompt was settled.
func settledBy(p db.Prompt) string {
	switch p.State {
	case db.PromptAllowed:
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
