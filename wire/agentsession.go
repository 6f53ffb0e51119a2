package wire

import "fmt"

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
