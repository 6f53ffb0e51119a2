package views

// Agent names as wraps declare them (wire.AgentClaude, wire.AgentCodex);
// views import nothing internal, so they are spelled here.
const (
	agentClaude = "claude"
	agentCodex  = "codex"
)

// AgentLabel is how a page names the agent CLI a session runs: "Claude
// Code", "Codex"; "" for a plain program, which gets no badge.
func AgentLabel(agent string) string {
	switch agent {
	case agentClaude:
		return "Claude Code"
	case agentCodex:
		return "Codex"
	}
	return ""
}

// HasAgent reports whether the session runs an agent CLI ct integrates
// with (hooks, approvals, a transcript): Claude Code or Codex.
func (s Session) HasAgent() bool { return AgentLabel(s.Agent) != "" }

// AgentShort is how a page addresses the agent in a prompt card or names
// its replies in a transcript: "Codex", else "Claude" (an older prompt that
// names no agent is Claude Code's).
func AgentShort(agent string) string {
	if agent == agentCodex {
		return "Codex"
	}
	return "Claude"
}
