// Package codexhook owns ct's integration with the OpenAI Codex CLI on the
// workstation: the -c overrides that give a run ct's hooks and pre-trust
// them (never touching the user's config.toml), and the reader of Codex's
// rollout JSONL, the session's transcript. Codex's hooks speak Claude Code's
// hook protocol, so the hook socket, `ct hook` and the arbitration between
// the hub and the terminal are claudehook's Bridge, run with Codex's
// Options. It knows nothing of the hub's internals.
package codexhook

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"unicode"
)

// PermissionTimeout is the PermissionRequest hook's timeout, in seconds:
// Codex draws its own dialog only once the hook ends, and a key at the
// terminal ends it at once, so a long wait never locks anyone out.
const PermissionTimeout = 3600

// recordTimeout bounds the hooks that only report events. Codex clamps
// SessionEnd's timeout to 3 s (and hashes the clamped value), so it gets 3.
const (
	recordTimeout     = 10
	sessionEndTimeout = 3
)

// stateSource is how Codex 0.171.0 names the configuration layer of -c
// overrides in a hook's trust key.
const stateSource = "/<session-flags>/config.toml"

// hook is one event's hook ct gives Codex.
type hook struct {
	event   string // Codex's event name: PermissionRequest
	timeout int
}

// hooks are ct's hooks for a Codex run: PermissionRequest answers from the
// hub; the others report events (SessionStart names the rollout file at
// once; PostToolUse, UserPromptSubmit and Stop say a question was settled
// without the hub).
var hooks = []hook{
	{"PermissionRequest", PermissionTimeout},
	{"SessionStart", recordTimeout},
	{"UserPromptSubmit", recordTimeout},
	{"PostToolUse", recordTimeout},
	{"Stop", recordTimeout},
	{"SessionEnd", sessionEndTimeout},
}

// noMatcher are the events whose hook groups take no matcher.
var noMatcher = map[string]bool{"UserPromptSubmit": true, "Stop": true}

// Overrides are the -c arguments that give Codex ct's hooks, each calling
// `ctPath hook EVENT`, and mark them trusted so Codex runs them without its
// "Hooks need review" question.
func Overrides(ctPath string) []string {
	var args []string
	for _, h := range hooks {
		cmd := shellQuote(ctPath) + " hook " + h.event
		group := "{hooks=[{command=" + tomlString(cmd) + fmt.Sprintf(",timeout=%d,type=\"command\"}]", h.timeout)
		if !noMatcher[h.event] {
			group += `,matcher="*"`
		}
		args = append(args, "-c", "hooks."+h.event+"=["+group+"}]")
	}
	var state []string
	for _, h := range hooks {
		cmd := shellQuote(ctPath) + " hook " + h.event
		key := tomlString(stateSource + ":" + snake(h.event) + ":0:0")
		state = append(state, key+"={trusted_hash="+tomlString(TrustHash(h.event, cmd, h.timeout))+"}")
	}
	return append(args, "-c", "hooks.state={"+strings.Join(state, ",")+"}")
}

// TrustHash is the trusted_hash Codex records for a hook group of one
// command handler: "sha256:" and the hex SHA-256 of the group's canonical
// JSON (keys sorted, no spaces), with the event's snake_case name, the
// handler's fields including async=false, and the matcher "*" for the
// events that take one.
func TrustHash(event, command string, timeout int) string {
	group := map[string]any{
		"event_name": snake(event),
		"hooks": []any{map[string]any{
			"async": false, "command": command, "timeout": timeout, "type": "command",
		}},
	}
	if !noMatcher[event] {
		group["matcher"] = "*"
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // Codex's serializer writes <, > and & as they are
	_ = enc.Encode(group)    // maps encode with sorted keys
	sum := sha256.Sum256(bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
	return "sha256:" + hex.EncodeToString(sum[:])
}

// snake is an event's name as Codex writes it in trust keys:
// PermissionRequest -> permission_request.
func snake(s string) string {
	var b strings.Builder
	for i, r := range s {
		if unicode.IsUpper(r) {
			if i > 0 {
				b.WriteByte('_')
			}
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}

// tomlString is s as a TOML basic string.
func tomlString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\u%04X`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }
