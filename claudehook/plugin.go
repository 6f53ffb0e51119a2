package claudehook

import (
	"encoding/json"
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
func (b *Bridge) Connected(up bool) {
	b.mu.Lock()
	b.up = up
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
	if open {
		// Echo what was applied, so the hub records exactly this answer.
		result.Decision, result.Scope, result.Message, result.By = d.Decision, d.Scope, d.Message, d.By
		b.settleLocked(d.ID, "hub", decisionJSON(d, q))
		b.holdUntil = time.Now().Add(holdAnswers)
	} else {
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

// decisionJSON is the PermissionRequest hook's documented decision output.
func decisionJSON(d wire.PromptDecide, q *question) []byte {
	dec := map[string]any{"behavior": d.Decision}
	if d.Decision == wire.DecisionDeny {
		msg := d.Message
		if msg == "" {
			msg = "The user denied this from ct"
			if d.By != "" {
				msg += " (" + d.By + ")"
			}
		}
		dec["message"] = msg
	}
	if d.Decision == wire.DecisionAllow && d.Scope == "session" {
		dec["updatedPermissions"] = append(sessionScoped(q.suggestions), sessionRule(q))
	}
	b, _ := json.Marshal(map[string]any{"hookSpecificOutput": map[string]any{
		"hookEventName": "PermissionRequest", "decision": dec,
	}})
	return b
}

// sessionScoped returns Claude Code's own suggestions with their destination
// set to "session", so "allow for this session" never writes settings files.
func sessionScoped(raw json.RawMessage) []map[string]any {
	var sugg []map[string]any
	if json.Unmarshal(raw, &sugg) != nil {
		return nil
	}
	for _, s := range sugg {
		if _, ok := s["destination"]; ok {
			s["destination"] = "session"
		}
	}
	return sugg
}

// sessionRule allows this tool use again for the rest of the session.
// Claude Code's own suggestions are often about something else (for Bash,
// "access to this directory"), so they alone would not stop the same
// question coming back: Bash gets a rule for this exact command, other tools
// a rule for the tool, both with destination "session" (never saved).
func sessionRule(q *question) map[string]any {
	rule := map[string]any{"toolName": q.tool}
	if q.tool == "Bash" {
		var in struct {
			Command string `json:"command"`
		}
		if json.Unmarshal(q.input, &in) == nil && in.Command != "" {
			rule["ruleContent"] = in.Command
		}
	}
	return map[string]any{"type": "addRules", "rules": []any{rule}, "behavior": "allow", "destination": "session"}
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
	switch req.Event {
	case "PostToolUse", "PostToolUseFailure":
		b.mu.Lock()
		b.holdUntil = time.Time{} // the hub's answer has been taken
		b.lastTerminal = nil
		b.mu.Unlock()
		if ids := b.settleAll("agent", "Claude Code went on without an answer from ct", nil); len(ids) > 0 {
			return
		}
		var p struct {
			ToolName string `json:"tool_name"`
		}
		_ = json.Unmarshal(req.Payload, &p)
		if last != nil && last.tool == p.ToolName && send != nil {
			e, _ := wire.New(wire.TypePromptClosed, wire.PromptClosed{ID: last.id, By: "terminal", Detail: "allowed at the terminal"})
			send(e)
		}
	case "Stop", "UserPromptSubmit", "SessionEnd":
		b.settleAll("agent", "Claude Code went on without an answer from ct", nil)
		b.mu.Lock()
		b.lastTerminal = nil
		b.mu.Unlock()
	}
}
