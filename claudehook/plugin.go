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
		b.settleLocked(d.ID, "hub", reply)
		b.holdUntil = time.Now().Add(holdAnswers)
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

// LocalInput implements ptywrap.Plugin: a key that answers Claude Code's
// dialog (Enter, Esc, a digit, y/n, Ctrl-C) typed while a question is open
// means the person at the terminal answered; the hook is released at once
// with no decision, so their answer stands, and the hub is told. Just after a
// hub answer won, such keys are held back so the dialog takes the hub's.
func (b *Bridge) LocalInput(p []byte) []byte {
	if !answers(p) {
		return p
	}
	b.mu.Lock()
	n := len(b.open)
	hold := time.Now().Before(b.holdUntil)
	b.mu.Unlock()
	if n > 0 {
		var last *question
		b.settleAll("terminal", "answered at the terminal", &last)
		b.mu.Lock()
		b.lastTerminal = last
		b.mu.Unlock()
		return p
	}
	if hold {
		return nil
	}
	return p
}

// answers reports whether p holds a key that answers a permission dialog.
func answers(p []byte) bool {
	for i, c := range p {
		switch {
		case c == '\r' || c == '\n' || c == 0x03:
			return true
		case c >= '1' && c <= '9', c == 'y', c == 'n', c == 'Y', c == 'N':
			return true
		case c == 0x1b:
			// A lone Esc, not the start of an arrow or function key sequence.
			if i+1 >= len(p) || (p[i+1] != '[' && p[i+1] != 'O') {
				return true
			}
		}
	}
	return false
}

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
