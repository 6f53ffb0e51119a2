package hub

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/ct-dev/ct/db"
	"github.com/ct-dev/ct/wire"
)

// ErrSameApprover is returned when the person who already approved a
// two-person prompt approves it again.
var ErrSameApprover = errors.New("you already approved this question; it needs a different person's approval too")

// person is who a decision counts as for a two-person rule: the account,
// whichever device it answers from.
func (d Decision) person() string {
	if d.Person != "" {
		return d.Person
	}
	return d.By
}

// approveFirst records an approval of a prompt that needs more than one,
// when it is not the last one needed, and reports whether it did (then the
// prompt stays pending and nothing reaches the agent). A deny, and the
// approval that completes the count, go on to the workstation as any answer.
func (h *Hub) approveFirst(p db.Prompt, d Decision) (db.Prompt, bool, error) {
	if p.Policy == nil || p.Policy.Need < 2 || d.Decision != wire.DecisionAllow {
		return p, false, nil
	}
	if d.Scope == "session" {
		// A session rule would let the wrap allow the same request again
		// with nobody's approval, let alone two.
		return p, true, fmt.Errorf("%w: a two-person rule's question is approved once; \"allow for this session\" does not apply", ErrBadAnswer)
	}
	if slices.Contains(p.Policy.Approvals, d.person()) {
		return p, true, ErrSameApprover
	}
	if len(p.Policy.Approvals)+1 >= p.Policy.Need {
		return p, false, nil
	}
	held := false
	q, err := h.store.UpdatePrompt(p.ID, func(q *db.Prompt) error {
		switch {
		case q.State != db.PromptPending:
			return fmt.Errorf("%w: %s", ErrSettled, settledBy(*q))
		case slices.Contains(q.Policy.Approvals, d.person()):
			return ErrSameApprover
		case len(q.Policy.Approvals)+1 >= q.Policy.Need:
			return nil // another approval came in meanwhile: this one completes it
		}
		q.Policy.Approvals = append(q.Policy.Approvals, d.person())
		held = true
		return nil
	})
	if err != nil || !held {
		return q, err != nil, err
	}
	h.log.Info("prompt approval recorded", "prompt", p.ID, "by", d.By, "approvals", len(q.Policy.Approvals), "need", q.Policy.Need)
	h.opts.Audit.Record(d.person(), "prompt.approve_first", fmt.Sprintf("%s on session %s: %s (rule %q)", p.ID, p.SessionID, Approvals(q), q.Policy.Rule), "")
	h.notify().PromptsChanged(q.SessionID, q.ID)
	return q, true, nil
}

// Approvals says how far a two-person prompt is: "1 of 2 approvals (alice)"
// ("" for a prompt that needs one).
func Approvals(p db.Prompt) string {
	if p.Policy == nil || p.Policy.Need < 2 {
		return ""
	}
	s := fmt.Sprintf("%d of %d approvals", len(p.Policy.Approvals), p.Policy.Need)
	if len(p.Policy.Approvals) > 0 {
		s += " (" + strings.Join(p.Policy.Approvals, ", ") + ")"
	}
	return s
}
