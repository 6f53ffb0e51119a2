package claudehook

import (
	"os"
	"time"

	"github.com/ct-dev/ct/wire"
)

// Attach implements ptywrap.Plugin.
func (b *Bridge) Attach(send func(wire.Envelope) bool) {
	b.mu.Lock()
	b.send = send
	b.mu.Unlock()
}

// Connected implements ptywrap.Plugin. When the hub goes away every waiting
// hook ends with no decision: Claude Code's own dialog is on screen already.
//
// On every connect the wrap tells the hub which questions are still open
// (prompt.sync): a connection that dropped without the hub noticing left
// its questions pending there, and they were settled here when it dropped.
// The sync is sent under the lock, so no prompt.open of this connection
// can overtake it.
func (b *Bridge) Connected(up bool) {
	b.mu.Lock()
	b.up = up
	if up && b.send != nil {
		open := make([]string, 0, len(b.open))
		for id := range b.open {
			open = append(open, id)
		}
		e, _ := wire.New(wire.TypePromptSync, wire.PromptSync{Open: open})
		b.send(e)
	}
	b.mu.Unlock()
	if !up {
		b.settleAll("", "", nil)
	}
}

// HubEnvelope implements ptywrap.Plugin.
func (b *Bridge) HubEnvelope(e wire.Envelope) {
	switch e.Type {
	case wire.TypePromptDecide:
		var d wire.PromptDecide
		if e.Decode(&d) == nil {
			b.decide(d)
		}
	case wire.TypeSessionAgent:
		var a wire.SessionAgent
		if e.Decode(&a) == nil && b.agentFile != "" {
			b.saveAgentCredential(a.Token)
		}
	case wire.TypeSessionSettings:
		var s wire.SessionSettings
		if e.Decode(&s) != nil {
			return
		}
		b.mu.Lock()
		b.terminalOnly = s.TerminalOnly
		b.mu.Unlock()
		if s.TerminalOnly {
			b.settleAll("terminal-only", "the session was set to answer at the terminal only", nil)
		}
	}
}

// saveAgentCredential writes the session's agent credential for ct mcp
// (0600, renamed into place so ct mcp never reads half a token). The agent
// can read it, and may: it coordinates only.
func (b *Bridge) saveAgentCredential(token string) {
	tmp := b.agentFile + ".tmp"
	if os.WriteFile(tmp, []byte(token), 0o600) == nil {
		_ = os.Rename(tmp, b.agentFile)
	}
}

// decide applies a person's answer from the hub if the question is still
// open, and tells the hub whether it won.
func (b *Bridge) decide(d wire.PromptDecide) {
	b.mu.Lock()
	q, open := b.open[d.ID]
	result := wire.PromptResult{ID: d.ID, Accepted: open, Ref: d.Ref}
	var reply []byte
	var bad error
	if open {
		reply, bad = decisionJSON(d, q)
	}
	switch {
	case bad != nil:
		// A malformed answer is refused and the question stays open: the
		// dialog and the hub can still answer it properly.
		result.Accepted, result.Reason, result.Invalid = false, bad.Error(), true
	case open:
		// Echo what was applied, so the hub records exactly this answer.
		result.Decision, result.Scope, result.Message, result.By = d.Decision, d.Scope, d.Message, d.By
		result.Answers, result.PlanMode = d.Answers, d.PlanMode
		if d.Decision == wire.DecisionAllow && d.Scope == "session" && q.tool != toolAskUser && q.tool != toolExitPlan {
			b.rules[ruleKey(q.tool, q.input)] = d.By // ct answers the same request itself from now on
			if b.opts.SessionScope {
				reply = withSessionScope(reply)
			}
		}
		b.held, b.holdUntil = q, time.Now().Add(holdAnswers)
		if cur, ok := b.dlg.current(); ok && b.onScreen(cur) == q {
			b.heldKey = cur.key
		} else {
			b.heldKey = ""
		}
		b.settleLocked(d.ID, "hub", reply)
	default:
		switch b.settled[d.ID] {
		case "terminal":
			result.Reason = "already answered at the terminal"
		case "":
			result.Reason = "this question is no longer open on the workstation"
		default:
			result.Reason = "already settled: " + b.settled[d.ID]
		}
	}
	send := b.send
	b.mu.Unlock()
	if send != nil {
		e, _ := wire.New(wire.TypePromptResult, result)
		send(e)
	}
}

// LocalInput implements ptywrap.Plugin: a key typed at the terminal that
// the dialog on screen takes (Enter, a lone Esc, the digit of one of its
// options) means the person there answered the question that dialog shows;
// that hook is released at once with no decision, so their answer stands,
// and the hub is told. Keys the dialog does not offer, keys typed before it
// is drawn (or in its first moments, when it drops them) and keys with no
// dialog on screen settle nothing. While the dialog a hub answer won is
// still on screen, the keys it would take are held back, so it takes the
// hub's; all other typing passes.
func (b *Bridge) LocalInput(p []byte) []byte {
	if b.opts.KeyReleases {
		return b.releaseOnKey(p)
	}
	d, ok := b.dlg.current()
	if !ok || !d.takes(p) {
		return p
	}
	b.mu.Lock()
	if b.holding(d) {
		b.mu.Unlock()
		return nil
	}
	q := b.onScreen(d)
	b.mu.Unlock()
	if q == nil || !b.dlg.ready(d) {
		return p
	}
	if b.settle(q.id, "terminal", nil) {
		b.mu.Lock()
		b.lastTerminal = q
		b.mu.Unlock()
		detail := "answered at the terminal"
		if d.refuses(p) {
			detail = "refused at the terminal" // hub.refusedAtTerminal: the turn is interrupted
		}
		b.notifyClosed(q.id, "terminal", detail)
	}
	return p
}

// holding reports whether d is the dialog a hub answer won and may still be
// waiting for Claude Code to take it. Called with b.mu held.
func (b *Bridge) holding(d dialog) bool {
	if b.held == nil {
		return false
	}
	if time.Now().After(b.holdUntil) {
		b.clearHeldLocked()
		return false
	}
	if b.heldKey != "" {
		return d.key == b.heldKey
	}
	// The hub answered before the dialog was drawn: hold it only if it is
	// the one the hub answered.
	return d.shows(b.held) || b.onScreen(d) == nil
}

func (b *Bridge) clearHeldLocked() {
	b.held, b.heldKey, b.holdUntil = nil, "", time.Time{}
	b.dlg.watch(len(b.open) > 0)
}

// onScreen is the open question d asks: the oldest whose signature it
// shows, else (a dialog ct cannot tell apart) the oldest open one, the one
// Claude Code shows first. Nil when none is open. Called with b.mu held.
func (b *Bridge) onScreen(d dialog) *question {
	var shown, oldest *question
	for _, q := range b.open {
		if d.shows(q) && (shown == nil || q.asked.Before(shown.asked)) {
			shown = q
		}
		if oldest == nil || q.asked.Before(oldest.asked) {
			oldest = q
		}
	}
	if shown != nil {
		return shown
	}
	return oldest
}

// Output implements ptywrap.ScreenPlugin: what Claude Code draws.
func (b *Bridge) Output(p []byte) {
	if !b.opts.KeyReleases { // only Claude Code's dialogs are read from the screen
		b.dlg.output(p)
	}
}

// Size implements ptywrap.ScreenPlugin: the PTY's size.
func (b *Bridge) Size(cols, rows int) { b.dlg.size(cols, rows) }

// record forwards a hook event to the hub and learns from it: once Claude
// Code runs a tool, stops, or takes a new prompt, any open question was
// settled without the hub.
func (b *Bridge) record(req request) {
	b.mu.Lock()
	send := b.send
	last := b.lastTerminal
	b.mu.Unlock()
	if send != nil {
		e, _ := wire.New(wire.TypeHookEvent, wire.HookEvent{Event: req.Event, Payload: req.Payload})
		send(e)
	}
	b.settleFor(req, last, send)
}
