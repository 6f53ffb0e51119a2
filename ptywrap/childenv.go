package ptywrap

import (
	"crypto/rand"
	"encoding/hex"
	"slices"
	"strings"
)

// secretEnv names the variables that hold ct's credentials. The wrapped
// program (an agent) must never see them: with a person's API token it
// could answer its own permission prompts, with the machine token publish
// as the machine. ct mcp under the wrap gets the session's own agent
// credential instead (claudehook's mcp config).
var secretEnv = []string{
	"CT_TOKEN", "CT_API_TOKEN", "CT_PASSWORD", "CT_ADMIN_PASSWORD", "CT_AGENT_TOKEN_FILE", "CT_HOOK_SOCK",
}

// ChildEnv returns environ without ct's secrets (and without an outer
// wrap's hook socket and agent credential, which belong to that session).
func ChildEnv(environ []string) []string {
	out := make([]string, 0, len(environ))
	for _, kv := range environ {
		if name, _, _ := strings.Cut(kv, "="); !slices.Contains(secretEnv, name) {
			out = append(out, kv)
		}
	}
	return out
}

// newResumeSecret makes a session's reconnect secret.
func newResumeSecret() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
