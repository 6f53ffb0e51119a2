package main

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/ct-dev/ct/coord"
	"github.com/ct-dev/ct/db"
	"github.com/ct-dev/ct/handlers"
	"github.com/ct-dev/ct/hub"
)

// startPolicy runs the policy file's poller and the escalation sweep until
// stop is called (nothing runs when pf is nil: policies are off).
func startPolicy(ctx context.Context, pf *policyFile, h *hub.Hub) (stop func()) {
	if pf == nil {
		return func() {}
	}
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup // both loops; Wait may be called again (stopServices runs twice)
	wg.Add(2)
	go func() { defer wg.Done(); pf.run(ctx) }() // one poller per hub
	go func() {                                  // one sweep per hub: escalations are minutes, a tick is seconds
		defer wg.Done()
		t := time.NewTicker(hub.EscalateEvery)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case now := <-t.C:
				h.Escalate(ctx, now)
			}
		}
	}()
	return func() { cancel(); wg.Wait() }
}

// escalateTo tells a rule's group that prompt p is overdue: a P0 message
// to @group on the coordination service (its connectors and agents, and the
// inbox), and notifications to its people (push, ntfy) with one-tap links.
func (st *hubStack) escalateTo(log *slog.Logger) func(p db.Prompt, group string) {
	return func(p db.Prompt, group string) {
		if st.notifier != nil {
			st.notifier.Overdue(p, group)
		}
		if group == "" || st.coord == nil {
			return
		}
		_, err := st.coord.Send("hub", coord.Message{To: "@" + group, Priority: "P0", Type: "blocker",
			Subject: fmt.Sprintf("Overdue: %s asks %s", p.Node, p.Tool),
			Body:    fmt.Sprintf("Unanswered for %s (rule %q). Answer it at /p/%s", p.Policy.After, p.Policy.Rule, p.ID)})
		if err != nil {
			log.Warn("escalation message not sent", "prompt", p.ID, "group", group, "error", err)
		}
	}
}

// groupMembers lists the hub users whose peers are in group.
func groupMembers(c *coord.Service) func(string) []string {
	return func(group string) []string {
		peers, err := c.Peers()
		if err != nil {
			return nil
		}
		var out []string
		for _, p := range peers {
			if p.Kind == coord.KindHuman && slices.Contains(p.Groups, group) && p.Owner != "" && !slices.Contains(out, p.Owner) {
				out = append(out, p.Owner)
			}
		}
		return out
	}
}

// policyEditor is the policy file for the admin page (nil when off: a nil
// *policyFile in the interface would not read as nil).
func (st *hubStack) policyEditor() handlers.PolicyEditor {
	if st.policy == nil {
		return nil
	}
	return st.policy
}
