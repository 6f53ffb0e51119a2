package hub

import (
	"fmt"
	"time"

	"github.com/ct-dev/ct/db"
	"github.com/ct-dev/ct/policy"
	"github.com/ct-dev/ct/wire"
)

// The approval policy's side of the prompt path: every prompt a wrap opens
// is matched against Options.Policy before anyone is asked. An allow or deny
// rule answers it through the same compare-and-set as a person's answer
// (the claim, then the wrap's confirmation), so what is recorded is what the
// agent was told; while that answer travels, no waiting list shows it.

// policyNow is the hub's clock for the policy (Options.Now or time.Now).
func (h *Hub) policyNow() time.Time {
	if h.opts.Now != nil {
		return h.opts.Now()
	}
	return time.Now()
}

// currentPolicy is the policy in force (nil: no rules).
func (h *Hub) currentPolicy() *policy.Policy {
	if h.opts.Policy == nil {
		return nil
	}
	return h.opts.Policy()
}

// applyPolicy records on rec what the policy says and, when a rule answers
// at once, returns that answer with rec claimed for it (nil: a person is
// asked).
func (h *Hub) applyPolicy(rec *db.Prompt) *Decision {
	pol := h.currentPolicy()
	if pol == nil || len(pol.Rules) == 0 {
		return nil
	}
	meta, err := h.store.GetSession(rec.SessionID)
	if err != nil {
		return nil
	}
	in := policy.Prompt{Machine: rec.Node, Agent: rec.Agent, Tool: rec.Tool, Tags: meta.Tags}
	if in.Agent == "" {
		in.Agent = meta.Agent
	}
	in.FromInput(rec.Input)
	res := pol.Evaluate(in)
	if res.Rule == nil {
		return nil
	}
	r := res.Rule
	pp := &db.PromptPolicy{Rule: r.Name, Outcome: r.Outcome, DryRun: r.DryRun,
		After: r.After, DenyAfter: r.DenyAfter, Notify: r.Notify, Message: r.Message}
	rec.Policy = pp
	switch {
	case r.DryRun:
		h.auditPolicy(*rec, "prompt.policy_dry_run", "would "+r.Outcome)
		return nil
	case res.Outcome == policy.AskTwo:
		pp.Need = 2
		return nil
	case res.Outcome != policy.Allow && res.Outcome != policy.Deny:
		return nil
	case meta.TerminalOnly:
		// The session's person said its questions are answered at the
		// terminal: no rule answers for it, whatever it says.
		pp.Skipped = "the session answers at the terminal only"
		return nil
	}
	d := &Decision{Decision: res.Outcome, By: "rule " + fmt.Sprintf("%q", r.Name), Device: db.DevicePolicy, Scope: "once"}
	if d.Decision == wire.DecisionDeny {
		d.Message = r.Message
	}
	if fitsPrompt(*rec, *d) != nil {
		// AskUserQuestion needs answers, a plan a mode: a person answers.
		pp.Skipped = "the rule cannot answer a " + rec.Tool + " question"
		return nil
	}
	rec.Claim = &db.PromptClaim{Ref: newRef(), By: d.By, Device: db.DevicePolicy, Decision: d.Decision, Scope: d.Scope,
		Message: d.Message, Until: time.Now().Add(decideWait + claimSlack)}
	return d
}

// autoDecide sends a rule's answer to the wrap and records what it
// confirmed; when the wrap does not confirm, the claim is released and the
// prompt is shown to people as any other. It runs in its own goroutine:
// the wrap's confirmation arrives on the read loop that opened the prompt.
func (h *Hub) autoDecide(p db.Prompt, d Decision) {
	ref := p.Claim.Ref
	var res decided
	if p.Kind == "screen" {
		res.p, res.err = h.decideScreen(p, d)
	} else {
		res = h.decideHook(h.stopCtx, p, d, ref)
	}
	if res.err != nil {
		_ = h.store.ReleaseClaim(p.ID, ref)
		if res.refused {
			h.closeRefused(p.ID, res.err)
		}
		h.log.Warn("policy answer not applied; a person is asked", "prompt", p.ID, "rule", p.Policy.Rule, "error", res.err)
		h.notify().PromptsChanged(p.SessionID, p.ID)
		return
	}
	h.log.Info("prompt decided by rule", "prompt", p.ID, "rule", p.Policy.Rule, "decision", res.p.Decision)
	h.auditPolicy(res.p, "prompt."+res.p.Decision, settledBy(res.p))
	h.notify().PromptsChanged(p.SessionID, p.ID)
}

// auditPolicy records what a rule did (or would have done) with a prompt.
func (h *Hub) auditPolicy(p db.Prompt, action, what string) {
	h.opts.Audit.Record(db.DevicePolicy, action, fmt.Sprintf("%s on session %s (%s %s): rule %q: %s",
		p.ID, p.SessionID, p.Tool, PromptSummary(p), p.Policy.Rule, what), "")
}

// PromptSummary is a prompt's command, path or URL, short, for the audit
// log and the policy page.
func PromptSummary(p db.Prompt) string {
	var in policy.Prompt
	in.FromInput(p.Input)
	s := in.Command + in.Path + in.URL
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}
