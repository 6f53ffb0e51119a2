package geminihook

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/ct-dev/ct/screenrule"
	"github.com/ct-dev/ct/wire"
)

// sessionKeys picks "2. Allow for this session" in Gemini's dialog: its
// numbered list takes the digit as the choice (checked with the real CLI,
// geminitest.TestDialogAllowForSession).
const sessionKeys = "2"

// Attach implements ptywrap.Plugin.
func (b *Bridge) Attach(send func(wire.Envelope) bool) {
	b.mu.Lock()
	b.send = send
	b.mu.Unlock()
}

// SetTyper implements ptywrap.TypingPlugin: how the bridge types into
// Gemini (a hub allow's key, once its dialog is on screen).
func (b *Bridge) SetTyper(typeIn func([]byte) bool) {
	b.mu.Lock()
	b.typeIn = typeIn
	b.mu.Unlock()
}

// Connected implements ptywrap.Plugin. When the hub goes away every waiting
// hook ends with no decision, so Gemini draws its own dialog; on connect the
// hub learns which questions are still open (prompt.sync).
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
		b.settleAll("", "")
	}
}

// HubEnvelope implements ptywrap.Plugin: a person's answer from the hub.
func (b *Bridge) HubEnvelope(e wire.Envelope) {
	var d wire.PromptDecide
	if e.Type != wire.TypePromptDecide || e.Decode(&d) != nil {
		return
	}
	b.mu.Lock()
	q, open := b.open[d.ID]
	result := wire.PromptResult{ID: d.ID, Accepted: open, Ref: d.Ref}
	if !open {
		result.Reason = "this question is no longer open on the workstation"
		b.sendLocked(result)
		b.mu.Unlock()
		return
	}
	result.Decision, result.Message, result.By = d.Decision, d.Message, d.By
	if d.Decision == wire.DecisionDeny {
		// The hook's deny: Gemini blocks the call and the model reads why.
		b.settleLocked(d.ID, denyJSON(d))
		b.sendLocked(result)
		b.mu.Unlock()
		return
	}
	// An allow in the hook does not skip Gemini's dialog (0.61.0): release
	// the hook with no decision and answer the dialog once it is drawn.
	if b.allowed != nil {
		b.allowed.timer.Stop()
	}
	a := &allowed{q: q, result: result, keys: screenrule.Gemini().Yes.Keys}
	if d.Scope == "session" {
		a.keys, a.result.Scope = sessionKeys, "session"
	}
	a.timer = time.AfterFunc(dialogWait, func() { b.dialogMissing(a) })
	b.allowed = a
	b.settleLocked(d.ID, nil)
	b.mu.Unlock()
}

// denyJSON is BeforeTool's blocking decision for a hub deny.
func denyJSON(d wire.PromptDecide) []byte {
	msg := d.Message
	if msg == "" {
		msg = "The user denied this from ct"
		if d.By != "" {
			msg += " (" + d.By + ")"
		}
	}
	out, _ := json.Marshal(map[string]string{"decision": "deny", "reason": msg})
	return out
}

// dialogMissing refuses a hub allow whose dialog never appeared: nothing
// was typed, and Gemini's dialog (if it comes later) is the terminal's.
func (b *Bridge) dialogMissing(a *allowed) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.allowed != a {
		return
	}
	b.allowed = nil
	r := wire.PromptResult{ID: a.result.ID, Ref: a.result.Ref,
		Reason: "Gemini's dialog did not appear, so nothing was typed: answer it at the terminal"}
	b.sendLocked(r)
}

// sendLocked sends a prompt.result; called with b.mu held.
func (b *Bridge) sendLocked(r wire.PromptResult) {
	if b.send != nil {
		e, _ := wire.New(wire.TypePromptResult, r)
		b.send(e)
	}
}

// LocalInput implements ptywrap.Plugin. A key typed at the terminal while
// a hook waits for the hub means the person there answers: the hook is
// released with no decision, so Gemini draws its own dialog, and the key
// is dropped (it would land in Gemini's composer, not in a dialog).
func (b *Bridge) LocalInput(p []byte) []byte {
	b.mu.Lock()
	if len(b.open) == 0 {
		b.mu.Unlock()
		return p
	}
	var ids []string
	for id := range b.open {
		b.settleLocked(id, nil)
		ids = append(ids, id)
	}
	b.mu.Unlock()
	for _, id := range ids {
		b.notifyClosed(id, "terminal", "answered at the terminal")
	}
	return nil
}

// Output implements ptywrap.ScreenPlugin: what Gemini draws. While a hub
// allow waits, the dialog is looked for; once Gemini's dialog for that
// command is at the bottom of the screen, its "Allow once" key is typed.
func (b *Bridge) Output(p []byte) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.scr.Write(p)
	a := b.allowed
	if a == nil || b.typeIn == nil {
		return
	}
	rows, y := b.scr.Lines()
	rule := screenrule.Gemini()
	m, ok := screenrule.Find([]screenrule.Rule{rule}, screenrule.View{Rows: rows, CursorY: y})
	if !ok || (a.q.command != "" && m.Command != "" && !strings.HasPrefix(a.q.command, strings.TrimSuffix(m.Command, "…"))) {
		return
	}
	a.timer.Stop()
	b.allowed = nil
	switch {
	case !b.typeIn([]byte(a.keys)):
		a.result.Accepted, a.result.Reason = false, "the key for Gemini's dialog could not be typed: answer it at the terminal"
	case a.result.Scope == "session":
		// Gemini now runs such calls without a dialog, so ct's hook
		// must not hold them for the hub either.
		b.tools.allowSession(a.q.tool, a.q.command)
	}
	b.sendLocked(a.result)
}

// Size implements ptywrap.ScreenPlugin: the PTY's size.
func (b *Bridge) Size(cols, rows int) {
	b.mu.Lock()
	b.scr.Resize(cols, rows)
	b.mu.Unlock()
}
