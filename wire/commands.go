package wire

import (
	"strings"
	"unicode/utf8"
)

// Bounds on the slash commands a session.start declares (issue 18 item 1):
// enough for a project's and a person's own commands beside an agent's
// built-ins, small enough that session.start stays a small frame.
const (
	MaxCommands       = 200
	MaxCommandName    = 64
	MaxCommandSummary = 160
)

// SlashCommand is one command the agent takes as "/name" in its prompt:
// a built-in of the pinned version or a custom command file. Only the name
// and a one-line description travel; never a path or the file's body.
type SlashCommand struct {
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	// Custom marks a command from a file (the project's or the person's
	// own), which the composer lists first.
	Custom bool `json:"custom,omitempty"`
}

// CleanCommands keeps the commands a hub may show: names of 1 to
// MaxCommandName letters, digits, '-', '_', '.' or ':' (a tag's alphabet;
// ':' is Claude's namespace separator), each once, at most MaxCommands; descriptions on one line, cut
// to MaxCommandSummary bytes. Both ends apply it, so neither trusts the other.
func CleanCommands(in []SlashCommand) []SlashCommand {
	seen := map[string]bool{}
	var out []SlashCommand
	for _, c := range in {
		if len(out) == MaxCommands {
			break
		}
		if c.Name == "" || len(c.Name) > MaxCommandName || strings.IndexFunc(c.Name, notTagRune) >= 0 || seen[c.Name] {
			continue
		}
		seen[c.Name] = true
		c.Description = oneLine(c.Description, MaxCommandSummary)
		out = append(out, c)
	}
	return out
}

// oneLine joins s's words with single spaces and cuts it to n bytes on a
// rune boundary, marking a cut.
func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
