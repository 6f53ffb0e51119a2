// Package claudehook owns ct's integration with Claude Code's hook system on
// the workstation: the settings file injected with --settings (by
// agent.Claude, for ct wrap and ct node; never touching the user's own files), the private local socket that `ct hook`
// reaches its wrap through, and the arbitration between an answer from the
// hub and one typed at the terminal. It knows nothing of the hub's internals;
// it speaks wire envelopes through ptywrap's Plugin interface.
package claudehook

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/ct-dev/ct/platform"
)

// PermissionTimeout is the hook timeout ct sets for PermissionRequest, in
// seconds. Claude Code's dialog stays usable while the hook waits; after this
// the hook is killed silently and only the dialog remains.
const PermissionTimeout = 3600

// recordTimeout bounds the fire-and-forget hooks that only report events.
const recordTimeout = 10

// recorded are the hook events forwarded to the hub for the record (and,
// for PostToolUse/Stop/UserPromptSubmit, to learn that a question was
// settled at the terminal).
var recorded = []string{"SessionStart", "UserPromptSubmit", "PostToolUse", "PostToolUseFailure", "Notification", "Stop", "SubagentStop", "SessionEnd"}

// Setup is one Claude Code run's injected configuration.
type Setup struct {
	Dir      string   // private runtime dir (0700), removed by Close
	Socket   string   // the wrap's hook socket
	Settings string   // the settings file passed with --settings
	Agent    string   // where the session's agent credential is written for ct mcp
	Args     []string // the program's arguments with --settings added
	Env      []string // added to the program's environment
}

// Close removes the runtime dir.
func (s *Setup) Close() { _ = os.RemoveAll(s.Dir) }

// Prepare writes the settings file and returns what to run. ctPath is the ct
// binary the hooks call. A --settings the user passed is merged: their
// settings and hooks stay, ct's hooks are added.
func Prepare(ctPath string, args []string) (*Setup, error) {
	dir, err := RuntimeDir()
	if err != nil {
		return nil, err
	}
	s := &Setup{Dir: dir, Socket: filepath.Join(dir, "hook.sock"), Settings: filepath.Join(dir, "settings.json"), Agent: filepath.Join(dir, "agent-token")}
	userSettings, rest, err := extractSettings(args)
	if err != nil {
		s.Close()
		return nil, err
	}
	settings, err := merge(userSettings, hooks(ctPath))
	if err != nil {
		s.Close()
		return nil, err
	}
	b, _ := json.MarshalIndent(settings, "", "  ")
	if err := os.WriteFile(s.Settings, b, 0o600); err != nil {
		s.Close()
		return nil, fmt.Errorf("write hook settings: %w", err)
	}
	mcpArgs, err := mcpConfig(dir, ctPath) // ct mcp's tools, with the session's agent credential
	if err != nil {
		s.Close()
		return nil, err
	}
	s.Args = append(append(mcpArgs, "--settings", s.Settings), rest...)
	s.Env = []string{"CT_HOOK_SOCK=" + s.Socket, "CT_AGENT_TOKEN_FILE=" + s.Agent}
	return s, nil
}

// RuntimeDir makes a private directory (0700) for one run's hook socket
// and files; the caller removes it. Its path is kept short: a Unix socket's
// path has a small limit.
func RuntimeDir() (string, error) {
	base := os.Getenv("XDG_RUNTIME_DIR")
	if base == "" || len(base) > 60 {
		base = os.TempDir()
	}
	dir, err := os.MkdirTemp(base, "ct-")
	if err != nil {
		return "", fmt.Errorf("create a private runtime dir: %w", err)
	}
	if err := platform.RestrictDir(dir); err != nil { // Windows: the socket's only guard is its directory's ACL
		_ = os.RemoveAll(dir)
		return "", err
	}
	return dir, nil
}

// hooks builds ct's hook configuration.
func hooks(ctPath string) map[string]any {
	cmd := func(event string) string { return shellQuote(ctPath) + " hook " + event }
	h := map[string]any{
		"PermissionRequest": []any{map[string]any{"matcher": "*", "hooks": []any{
			map[string]any{"type": "command", "command": cmd("PermissionRequest"), "timeout": PermissionTimeout},
		}}},
	}
	for _, ev := range recorded {
		h[ev] = []any{map[string]any{"matcher": "*", "hooks": []any{
			map[string]any{"type": "command", "command": cmd(ev), "timeout": recordTimeout},
		}}}
	}
	return map[string]any{"hooks": h}
}

// extractSettings removes --settings X (or --settings=X) from args and
// returns X's content (a file path or inline JSON) as a map. Options end at
// "--": what follows is a prompt (ct node's first prompt goes there), never
// read as settings.
func extractSettings(args []string) (map[string]any, []string, error) {
	var val string
	found := false
	rest := make([]string, 0, len(args))
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			rest = append(rest, args[i:]...)
			i = len(args)
		case a == "--settings" && i+1 < len(args):
			val, found = args[i+1], true
			i++
		case strings.HasPrefix(a, "--settings="):
			val, found = strings.TrimPrefix(a, "--settings="), true
		default:
			rest = append(rest, a)
		}
	}
	if !found {
		return nil, args, nil
	}
	raw := []byte(val)
	if !strings.HasPrefix(strings.TrimSpace(val), "{") {
		b, err := os.ReadFile(val)
		if err != nil {
			return nil, nil, fmt.Errorf("read your --settings file: %w", err)
		}
		raw = b
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, nil, fmt.Errorf("your --settings is not a JSON object: %w", err)
	}
	return m, rest, nil
}

// merge adds ct's hook groups to the user's settings, keeping theirs.
func merge(user, ours map[string]any) (map[string]any, error) {
	if user == nil {
		return ours, nil
	}
	uh, _ := user["hooks"].(map[string]any)
	if uh == nil {
		uh = map[string]any{}
	}
	for ev, groups := range ours["hooks"].(map[string]any) {
		existing, _ := uh[ev].([]any)
		uh[ev] = append(existing, groups.([]any)...)
	}
	user["hooks"] = uh
	return user, nil
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }
