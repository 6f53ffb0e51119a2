package handlers

import (
	"testing"

	"github.com/ct-dev/ct/db"
	"github.com/ct-dev/ct/hub"
	"github.com/ct-dev/ct/wire"
)

// The session page shows an agent's tabs and badge from the wrap's
// declaration, not from the command's name.
func TestSessionModelClaudeFromDeclaration(t *testing.T) {
	for _, c := range []struct {
		command, agent string
		want           bool
	}{
		{command: "claude", agent: wire.AgentClaude, want: true},
		{command: "./my-claude-build", agent: wire.AgentClaude, want: true}, // ct wrap --agent claude
		{command: "claude", agent: wire.AgentPlain, want: false},            // ct wrap --agent plain
		{command: "codex", agent: wire.AgentCodex, want: true},
		{command: "codex", agent: wire.AgentPlain, want: false}, // ct wrap --agent plain -- codex
	} {
		m := sessionModel(hub.Snapshot{Session: db.Session{ID: "s1", Command: c.command, Agent: c.agent}}, "")
		if m.HasAgent() != c.want || m.Agent != c.agent {
			t.Errorf("%s declared %s: agent %q tabs %v, want %v", c.command, c.agent, m.Agent, m.HasAgent(), c.want)
		}
	}
}
