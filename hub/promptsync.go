package hub

import (
	"errors"
	"fmt"
	"time"

	"github.com/ct-dev/ct/db"
	"github.com/ct-dev/ct/wire"
)

// Tools whose answer is more than allow or deny (Claude Code ignores a bare
// allow for them): AskUserQuestion takes the answers to its questions,
// ExitPlanMode the mode the plan goes on in.
const (
	ToolAskUser  = "AskUserQuestion"
	ToolExitPlan = "ExitPlanMode"
)

// ErrBadAnswer is returned (wrapped, with what is wrong) for an answer that
// does not fit its prompt's tool.
var ErrBadAnswer = errors.New("this answer does not fit the question")

// fitsPrompt checks that an answer fits its prompt's tool: an
// AskUserQuestion allow carries answers, only ExitPlanMode takes a plan
// mode, and neither is allowed "for the session".
func fitsPrompt(p db.Prompt, d Decision) error {
	if err := fitsTool(p, d); err != nil {
		return fmt.Errorf("%w: %w", ErrBadAnswer, err)
	}
	return nil
}

func fitsTool(p db.Prompt, d Decision) error {
	special := p.Tool == ToolAskUser || p.Tool == ToolExitPlan
	switch {
	case special && d.Scope == "session":
		return fmt.Errorf("%s is answered once; \"allow for this session\" does not apply", p.Tool)
	case p.Tool == ToolAskUser && d.Decision == wire.DecisionAllow && len(d.Answers) == 0:
		return errors.New("choose an answer to each question first")
	case p.Tool != ToolAskUser && len(d.Answers) > 0:
		return fmt.Errorf("%s asks no questions; send allow or deny without answers", p.Tool)
	case p.Tool != ToolExitPlan && d.PlanMode != "":
		return fmt.Errorf("%s is no plan; send allow or deny without a plan mode", p.Tool)
	}
	return nil
}

// closeRefused closes a prompt whose answer the workstation refused because
// the question is no longer open there: left pending, every later answer
// would be refused too and the prompt would wait forever.
func (h *Hub) closeRefused(promptID string, why error) {
	p, err := h.store.UpdatePrompt(promptID, func(p *db.Prompt) error {
		if p.State != db.PromptPending {
			return ErrSettled
		}
		p.State, p.ClosedBy, p.Detail, p.Claim = db.PromptClosed, "gone", "no longer open on the workstation ("+trimSettled(why)+")", nil
		p.DecidedAt = time.Now().UTC()
		return nil
	})
	if err == nil {
		h.notify().PromptsChanged(p.SessionID, p.ID)
	}
}

// trimSettled is an ErrSettled error's reason without the sentinel's text.
func trimSettled(err error) string {
	s := err.Error()
	if pre := ErrSettled.Error() + ": "; len(s) > len(pre) && s[:len(pre)] == pre {
		return s[len(pre):]
	}
	return s
}

// syncPrompts takes a wrap's prompt.sync, sent on each (re)connect: the
// session's pending prompts the wrap no longer has open are closed. A
// connection that dropped on the wrap's side only (the hub saw no close)
// left them pending, and the wrap released their hooks when it dropped.
func (h *Hub) syncPrompts(c *wrapConn, ps wire.PromptSync) {
	keep := make(map[string]bool, len(ps.Open))
	for _, id := range ps.Open {
		keep[id] = true
	}
	closed, err := h.store.ClosePending(db.PromptFilter{SessionID: c.session, KeepWraps: keep}, "gone",
		"the workstation reconnected without this question; it is answered at the terminal")
	if err != nil {
		h.log.Warn("sync prompts", "session", c.session, "error", err)
	}
	for _, p := range closed {
		h.log.Info("prompt closed by sync", "prompt", p.ID, "session", p.SessionID)
		h.notify().PromptsChanged(p.SessionID, p.ID)
	}
}
