package views

import (
	"strings"
	"time"
)

// AgentSessionsPick is the page that lists the past Claude conversations a
// machine's ct node could resume in a directory.
type AgentSessionsPick struct {
	Machine string
	Command string // the allowed command that runs claude
	Cwd     string
	Rows    []AgentSessionRow
	Error   string // the node's refusal, said to the person
}

// AgentSessionRow is one past conversation.
type AgentSessionRow struct {
	ID          string
	FirstPrompt string
	Modified    time.Time
}

// claudeCommand is the first allowed command that runs Claude Code ("":
// none), for the launch form's "Resume a past conversation" link.
func claudeCommand(allow []string) string {
	for _, c := range allow {
		if strings.TrimSuffix(c[strings.LastIndex(c, "/")+1:], ".exe") == "claude" {
			return c
		}
	}
	return ""
}
