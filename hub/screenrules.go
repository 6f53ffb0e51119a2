package hub

import (
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/ct-dev/ct/db"
	"github.com/ct-dev/ct/screenrule"
	"github.com/ct-dev/ct/wire"
)

// ScreenRule turns a question visible on a program's screen into a prompt,
// for programs without a hook system: a line question at the cursor or an
// agent's whole dialog at the live bottom of the screen (screenrule.Rule).
type ScreenRule = screenrule.Rule

// DefaultScreenRules are screenrule.Defaults: Claude Code's, Codex's and
// Gemini's dialogs, then the common yes/no questions of command-line tools
// ("[y/N]", "(yes/no)", "Press Enter to continue"). The first that matches
// wins. Each call returns a new slice, so no caller can change another
// hub's rules.
func DefaultScreenRules() []ScreenRule { return screenrule.Defaults() }

// screenQuestion is the screen prompt a session has open, if any.
type screenQuestion struct {
	promptID string
	rule     ScreenRule
	text     string
}

// checkRules runs after each screen update of a program without hooks: a
// matching question opens a prompt; when the question leaves the screen
// (answered at the terminal), the prompt closes.
func (s *session) checkRules(view screenrule.View) {
	if s.hooks {
		return
	}
	var hit *ScreenRule
	m, found := screenrule.Find(s.h.opts.ScreenRules, view)
	if found {
		hit = &m.Rule
	}
	line, above := m.Question, contextAbove(view, m)
	s.mu.Lock()
	open := s.question
	live := s.conn != nil
	// A different question in its place is a new one: the answer and the
	// next question can arrive in one screen update, with no frame between.
	replaced := hit != nil && open != nil && line != open.text
	if hit != nil && (open == nil || replaced) && live {
		s.question = &screenQuestion{rule: *hit, text: line}
	}
	if hit == nil && open != nil {
		s.question = nil
	}
	s.mu.Unlock()
	switch {
	case hit != nil && (open == nil || replaced) && live:
		if replaced && open.promptID != "" {
			s.h.closeScreenPrompt(open.promptID, s.answeredBy())
		}
		s.openScreenPrompt(*hit, m.Command, line, above)
	case hit == nil && open != nil && open.promptID != "":
		s.h.closeScreenPrompt(open.promptID, s.answeredBy())
	}
}

func (s *session) openScreenPrompt(rule ScreenRule, command, line, above string) {
	input, _ := json.Marshal(map[string]string{"question": line, "context": above, "rule": rule.Name,
		"command": command, "yes": keyName(rule.Yes.Keys), "no": keyName(rule.No.Keys),
		"yes_label": rule.Yes.Label, "no_label": rule.No.Label})
	p := db.Prompt{
		ID: newPromptID(), SessionID: s.id, Node: s.meta.Node, Kind: "screen", Tool: "Terminal question",
		Input: input, State: db.PromptPending, CreatedAt: time.Now().UTC(),
	}
	// The approval rules see every prompt, screen questions too (a rule
	// naming no tool, or the tool "Terminal question", matches them); an
	// answer by rule types the rule's keys through decideScreen, which
	// checks the question is still on the screen, as a person's would.
	auto := s.h.applyPolicy(&p)
	if err := s.h.store.PutPrompt(p); err != nil {
		s.h.log.Error("store screen prompt", "session", s.id, "error", err)
		return
	}
	s.mu.Lock()
	if s.question != nil {
		s.question.promptID = p.ID
	}
	s.mu.Unlock()
	if auto != nil {
		go s.h.autoDecide(p, *auto) // pages hear of it once settled (or when a person is asked after all)
		return
	}
	s.h.notify().PromptsChanged(s.id, p.ID)
}

func (h *Hub) closeScreenPrompt(id, hubUser string) {
	p, err := h.store.UpdatePrompt(id, func(p *db.Prompt) error {
		if p.State != db.PromptPending {
			return ErrSettled
		}
		p.State, p.ClosedBy, p.Detail, p.DecidedAt = db.PromptClosed, "terminal", "answered at the terminal", time.Now().UTC()
		p.DecidedBy, p.Device = "the terminal", "terminal"
		if hubUser != "" {
			p.ClosedBy, p.Detail = "hub-keys", "answered by "+hubUser+" with keys typed from the hub"
			p.DecidedBy, p.Device = hubUser, "hub"
		}
		return nil
	})
	if err == nil {
		h.notify().PromptsChanged(p.SessionID, p.ID)
	}
}

// ErrNoSuchAnswer refuses an answer a screen question does not offer
// ("Press Enter to continue" has no "no").
var ErrNoSuchAnswer = errors.New("this question on the screen has no such answer: answer it at the terminal or with the keys from the session page")

// keyName is how a person reads keys: "y", "Enter", "Esc" ("": none).
func keyName(keys string) string {
	switch keys {
	case "\r":
		return "Enter"
	case "\x1b":
		return "Esc"
	}
	return strings.TrimRight(keys, "\r")
}

// contextAbove is the non-blank row above a line question (what the
// question is about); a dialog carries its context in its own text.
func contextAbove(v screenrule.View, m screenrule.Match) string {
	if m.Rule.Rows > 0 || v.CursorY >= len(v.Rows) {
		return ""
	}
	for y := v.CursorY - 1; y >= 0; y-- {
		if t := strings.TrimSpace(v.Rows[y]); t != "" {
			return t
		}
	}
	return ""
}

// keysAnswerFor is how recent input through the hub must be to count as
// what answered a question that just left the screen.
const keysAnswerFor = 5 * time.Second

// answeredBy names the person whose keys, typed through the hub, answered
// the question that just left the screen ("" when the workstation's own
// keyboard was used since, or nobody typed through the hub lately).
func (s *session) answeredBy() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	w := s.wheelLocked()
	if w.lastBy != "" && w.lastInput.After(w.terminalAt) && time.Since(w.lastInput) < keysAnswerFor {
		return w.lastBy
	}
	return ""
}

// decideScreen answers a screen prompt by typing the rule's keys. The
// session lock makes it first-come: once the question has left the screen
// (answered at the terminal) the answer is refused.
func (h *Hub) decideScreen(p db.Prompt, d Decision) (db.Prompt, error) {
	s, err := h.load(p.SessionID)
	if err != nil {
		return p, err
	}
	s.mu.Lock()
	q := s.question
	if q == nil || q.promptID != p.ID {
		s.mu.Unlock()
		return p, ErrSettled
	}
	keys := q.rule.No.Keys
	if d.Decision == wire.DecisionAllow {
		keys = q.rule.Yes.Keys
	}
	if keys == "" {
		s.mu.Unlock()
		return p, ErrNoSuchAnswer
	}
	q.promptID = "" // settled by this answer; the screen change must not close it as "terminal"
	s.mu.Unlock()
	if err := h.Input(p.SessionID, []byte(keys)); err != nil {
		return p, err
	}
	return h.recordAnswer(p.ID, d)
}

// recordAnswer stores a person's answer to a prompt the hub settles itself
// (a screen question, a shared-file read); ErrSettled when it no longer
// waits.
func (h *Hub) recordAnswer(id string, d Decision) (db.Prompt, error) {
	return h.store.UpdatePrompt(id, func(p *db.Prompt) error {
		if p.State != db.PromptPending {
			return ErrSettled
		}
		p.Decision, p.DecidedBy, p.Device, p.DecidedAt = d.Decision, d.By, d.Device, time.Now().UTC()
		p.State = db.PromptAllowed
		if d.Decision == wire.DecisionDeny {
			p.State = db.PromptDenied
		}
		return nil
	})
}
