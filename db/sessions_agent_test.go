package db

import (
	"testing"
	"time"

	"github.com/ct-dev/ct/wire"
)

// A session whose wrap declared nothing (a record or a wrap from before the
// declaration) reads as ct guessed before: claude is Claude Code, and claude
// or codex have hooks. A declaration is kept as it is, also on reconnect.
func TestSessionDeclarationAndLegacyFallback(t *testing.T) {
	s := openStore(t, t.TempDir())
	for _, c := range []struct {
		id, command, agent string
		hooks              bool
		wantAgent          string
		wantHooks          bool
	}{
		{id: "legacy-claude", command: "/usr/bin/claude", wantAgent: wire.AgentClaude, wantHooks: true},
		{id: "legacy-codex", command: "codex", wantAgent: wire.AgentPlain, wantHooks: true},
		{id: "legacy-bash", command: "bash", wantAgent: wire.AgentPlain},
		{id: "claude-no-hooks", command: "claude", agent: wire.AgentClaude, wantAgent: wire.AgentClaude},
		{id: "codex-declared", command: "codex", agent: wire.AgentPlain, wantAgent: wire.AgentPlain},
		{id: "plain-as-claude", command: "my-claude", agent: wire.AgentClaude, hooks: true, wantAgent: wire.AgentClaude, wantHooks: true},
	} {
		in := Session{ID: c.id, Node: "box", Command: c.command, Status: StatusLive, StartedAt: time.Now().UTC(), Agent: c.agent, Hooks: c.hooks}
		for round := range 2 { // the first connect and a reconnect
			up, err := s.UpsertSession(in)
			if err != nil {
				t.Fatal(err)
			}
			got, err := s.GetSession(c.id)
			if err != nil {
				t.Fatal(err)
			}
			for _, ss := range []Session{up, got} {
				if ss.Agent != c.wantAgent || ss.Hooks != c.wantHooks {
					t.Errorf("%s (round %d): agent %q hooks %v, want %q %v", c.id, round, ss.Agent, ss.Hooks, c.wantAgent, c.wantHooks)
				}
			}
		}
	}
	all, err := s.Sessions()
	if err != nil {
		t.Fatal(err)
	}
	for _, ss := range all {
		if ss.Agent == "" {
			t.Errorf("Sessions lists %s with no agent", ss.ID)
		}
	}
}
