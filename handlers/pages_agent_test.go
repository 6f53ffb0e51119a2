package handlers

import (
	"testing"

	"github.com/ct-dev/ct/db"
	"github.com/ct-dev/ct/hub"
	"github.com/ct-dev/ct/wire"
)

// The session page shows Claude Code's tabs from the wrap's declaration,
// not from the command's name.
func TestSessionModelClaudeFromDeclaration(t *testing.T) {
	for _, c := range []struct {
		command, agent string
		want           bool
	}{
		{command: "claude", agent: wire.AgentClaude, want: true},
		{command: "./my-claude-build", agent: wire.AgentClaude, want: true}, // ct wrap --agent claude
		{command: "claude", agent: wire.AgentPlain, want: false},            // ct wrap --agent plain
	} {
		m := sessionModel(hub.Snapshot{Session: db.Session{ID: "s1", Command: c.command, Agent: c.agent}}, "")
		if m.Claude != c.want {
			t.Errorf("%s declared %s: Claude tab %v, want %v", c.command, c.agent, m.Claude, c.want)
		}
	}
}
