package claudehook

import (
	"encoding/json"

	"github.com/ct-dev/ct/ptywrap"
	"github.com/ct-dev/ct/wire"
)

// Options says which agent CLI a Bridge serves. Any CLI whose hooks speak
// Claude Code's hook protocol (the JSON payload on stdin, transcript_path in
// it, hookSpecificOutput.decision on stdout) is served by one Bridge: Claude
// Code itself (the zero Options) and Codex (codexhook).
type Options struct {
	// Agent is what prompt.open declares (wire.AgentClaude when empty).
	Agent string
	// Name is the CLI's name in what the hub is told ("Claude Code" when empty).
	Name string
	// Transcript makes the parser of the CLI's transcript file (nil: Claude Code's).
	Transcript func() LineParser
	// KeyReleases is for a CLI that draws no dialog while its
	// PermissionRequest hook waits (Codex): any key typed at the terminal
	// while a question is open releases every open question with no
	// decision and is not passed on, so it never lands in the composer; the
	// CLI then draws its own dialog, which takes the next key. Without it
	// (Claude Code) the dialog is on screen while the hook waits and a key
	// it takes answers it (LocalInput).
	KeyReleases bool
	// SessionScope adds "scope":"session" to the decision of an "allow for
	// this session", for a hook caller that can pass the scope on (ct's
	// Codex app-server session turns it into acceptForSession). Claude
	// Code and Codex's own hooks never get the field.
	SessionScope bool
	// AgentFile is where the session's agent credential (session.agent)
	// is written for ct mcp ("": nowhere; Claude Code's Inject sets its own).
	AgentFile string
}

// withSessionScope is a decision reply with "scope":"session" added to its
// decision object.
func withSessionScope(reply []byte) []byte {
	var out map[string]map[string]any
	if json.Unmarshal(reply, &out) != nil {
		return reply
	}
	dec, ok := out["hookSpecificOutput"]["decision"].(map[string]any)
	if !ok {
		return reply
	}
	dec["scope"] = "session"
	b, err := json.Marshal(out)
	if err != nil {
		return reply
	}
	return b
}

func (o Options) agent() string {
	if o.Agent == "" {
		return wire.AgentClaude
	}
	return o.Agent
}

func (o Options) name() string {
	if o.Name == "" {
		return "Claude Code"
	}
	return o.Name
}

func (o Options) parser() LineParser {
	if o.Transcript == nil {
		return new(Parser)
	}
	return o.Transcript()
}

// releaseOnKey is LocalInput for a CLI with KeyReleases: a key while a
// question is open hands every open one back to the CLI's own dialog (the
// hub is told the terminal took it) and is swallowed. A terminal's automatic
// answers to queries are nobody typing and pass.
func (b *Bridge) releaseOnKey(p []byte) []byte {
	if len(p) == 0 || ptywrap.TerminalReply(p) {
		return p
	}
	var last *question
	ids := b.settleAll("terminal", "taken at the terminal: "+b.opts.name()+"'s own dialog asks there", &last)
	if len(ids) == 0 {
		return p
	}
	b.mu.Lock()
	b.lastTerminal = last // its PostToolUse says it was allowed there
	b.mu.Unlock()
	return nil
}
