package hub

import (
	"fmt"
	"time"

	"github.com/ct-dev/ct/db"
	"github.com/ct-dev/ct/wire"
)

// DefaultMaxOpenPrompts bounds the questions one session may have open at
// once (ct serve --max-open-prompts). An agent asks one at a time; a wrap
// opening more is broken or hostile, and each open one costs every
// approvals page a re-render.
const DefaultMaxOpenPrompts = 32

// refuseExcessPrompt answers a prompt.open beyond the session's cap with a
// deny the agent is told (so its hook does not wait) and reports true; the
// prompt is not stored and no page is re-rendered.
func (h *Hub) refuseExcessPrompt(c *wrapConn, p wire.PromptOpen) bool {
	max := h.opts.MaxOpenPrompts
	if max <= 0 {
		return false
	}
	open, err := h.store.Prompts(db.PromptFilter{State: db.PromptPending, SessionID: c.session, Limit: max, WithRuled: true})
	if err != nil || len(open) < max {
		return false
	}
	h.log.Warn("prompt refused: too many open", "session", c.session, "open", len(open))
	d, _ := wire.New(wire.TypePromptDecide, wire.PromptDecide{ID: p.ID, Decision: wire.DecisionDeny, By: "hub",
		Message: fmt.Sprintf("denied: too many open questions (%d) on this session; answer the open ones first", max)})
	d.SessionID = c.session
	// Waits for room (bounded): the agent's hook must hear the deny, and a
	// flooding wrap is slowed by its own flood, not by dropped answers.
	_ = c.sendWait(d, refuseWait)
	return true
}

// refuseWait bounds how long the read loop waits to queue a refusal for a
// wrap that does not read what the hub sends it.
const refuseWait = 5 * time.Second

// CapOr reads a cap setting (an Options field, a flag): 0 means def,
// below 0 means no cap (0).
func CapOr(v, def int) int {
	switch {
	case v == 0:
		return def
	case v < 0:
		return 0
	}
	return v
}
