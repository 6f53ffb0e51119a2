package wire

import (
	"fmt"
	"time"
)

// MaxAgentSessionID bounds an agent's own session id (Claude's and Codex's
// are 36-byte UUIDs).
const MaxAgentSessionID = 128

// CheckAgentSessionID accepts only a plain id: letters, digits, '-' and
// '_', starting with a letter or digit, at most MaxAgentSessionID bytes. It
// becomes an argument of the agent's command line (claude --resume ID,
// codex resume ID), so it must never read as a flag, a path or a name the
// agent would search for. The hub and the node both check it.
func CheckAgentSessionID(id string) error {
	ok := id != "" && len(id) <= MaxAgentSessionID
	for i := 0; ok && i < len(id); i++ {
		c := id[i]
		alnum := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
		ok = alnum || i > 0 && (c == '-' || c == '_')
	}
	if !ok {
		return fmt.Errorf("%q is not an agent session id: use the id the session list shows (letters, digits, '-' and '_', at most %d bytes; no flags or paths)", id, MaxAgentSessionID)
	}
	return nil
}

// The hub asks a node which past conversations of an agent it could resume
// in a directory; the node reads them from the agent's own files.
const (
	TypeNodeAgentSessions = "node.agent_sessions" // hub → node: list resumable conversations
	TypeNodeAgentList     = "node.agent_list"     // node → hub: the answer
)

// NodeAgentSessions is node.agent_sessions' payload.
type NodeAgentSessions struct {
	Request string `json:"request"`
	Command string `json:"command"` // an allowed command naming the agent (claude)
	Cwd     string `json:"cwd"`     // the directory the conversations ran in
}

// AgentSessionInfo is one conversation a node could resume.
type AgentSessionInfo struct {
	ID          string    `json:"id"`
	FirstPrompt string    `json:"first_prompt"` // at most 200 bytes
	Modified    time.Time `json:"modified"`
}

// NodeAgentList is node.agent_list's payload: newest first, at most
// MaxAgentSessions, or the node's reason for refusing.
type NodeAgentList struct {
	Request  string             `json:"request"`
	Sessions []AgentSessionInfo `json:"sessions"`
	Refused  string             `json:"refused,omitempty"`
}

// MaxAgentSessions bounds one answer's list.
const MaxAgentSessions = 50
