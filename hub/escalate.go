package hub

import (
	"context"
	"fmt"
	"time"

	"github.com/ct-dev/ct/db"
	"github.com/ct-dev/ct/wire"
)

// EscalateEvery is how often ct serve calls Escalate: escalation times are
// minutes, so a prompt is at most this late to escalate.
const EscalateEvery = 15 * time.Second

// Escalate acts on the pending prompts whose rule escalates, as of now: one
// past its rule's "after" is marked overdue and its group is told (once);
// one past "deny_after" is denied with the rule's message, as any answer
// is (the wrap confirms what the agent was told). ct serve calls it every
// EscalateEvery; tests call it with a moved clock. It returns how many
// prompts it changed.
func (h *Hub) Escalate(ctx context.Context, now time.Time) int {
	pending, err := h.store.Prompts(db.PromptFilter{State: db.PromptPending})
	if err != nil {
		h.log.Warn("escalate: list prompts", "error", err)
		return 0
	}
	n := 0
	for _, p := range pending {
		pp := p.Policy
		if pp == nil || pp.DryRun || (pp.After == 0 && pp.DenyAfter == 0) {
			continue
		}
		age := now.Sub(p.CreatedAt)
		switch {
		case pp.DenyAfter > 0 && age >= pp.DenyAfter:
			if h.escalationDeny(ctx, p) {
				n++
			}
		case pp.After > 0 && age >= pp.After && !pp.Overdue:
			if h.markOverdue(p) {
				n++
			}
		}
	}
	return n
}

// markOverdue sets a prompt overdue and tells its rule's group.
func (h *Hub) markOverdue(p db.Prompt) bool {
	q, err := h.store.UpdatePrompt(p.ID, func(q *db.Prompt) error {
		if q.State != db.PromptPending || q.Policy == nil || q.Policy.Overdue {
			return ErrSettled
		}
		q.Policy.Overdue = true
		return nil
	})
	if err != nil {
		return false
	}
	group := q.Policy.Notify
	h.log.Info("prompt overdue", "prompt", q.ID, "rule", q.Policy.Rule, "group", group)
	to := "everyone"
	if group != "" {
		to = "@" + group
	}
	h.auditPolicy(q, "prompt.escalate", fmt.Sprintf("unanswered after %s; %s told", q.Policy.After, to))
	if h.opts.Escalated != nil {
		h.opts.Escalated(q, group)
	}
	h.notify().PromptsChanged(q.SessionID, q.ID)
	h.notify().LobbyChanged()
	return true
}

// escalationDeny denies a prompt nobody answered in its rule's deny_after.
func (h *Hub) escalationDeny(ctx context.Context, p db.Prompt) bool {
	d := Decision{Decision: wire.DecisionDeny, Message: p.Policy.Message, Scope: "once", Device: db.DevicePolicy,
		By: fmt.Sprintf("rule %q (unanswered after %s)", p.Policy.Rule, p.Policy.DenyAfter)}
	q, err := h.Decide(ctx, p.ID, d)
	if err != nil {
		h.log.Warn("escalation deny not applied", "prompt", p.ID, "rule", p.Policy.Rule, "error", err)
		return false
	}
	h.auditPolicy(q, "prompt.deny", settledBy(q))
	return true
}
