// Package geminihook owns ct's integration with Gemini CLI's hooks on the
// workstation: the per-run settings with ct's hooks (an overlay home named
// by GEMINI_CLI_HOME, so the user's ~/.gemini/settings.json, the
// workspace's and the machine's settings stay untouched), the
// private socket `ct hook` reaches its wrap through, and the answer to a
// question: a deny from the hub is the BeforeTool hook's decision (the
// model gets the reason); an allow releases the hook and, once Gemini's
// own dialog is on screen (screenrule.Gemini), types the key its
// highlighted "Allow once" takes. It knows nothing of the hub's internals;
// it speaks wire envelopes through ptywrap's Plugin interface.
package geminihook

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/ct-dev/ct/platform"
)

// HomeEnv is Gemini CLI's variable that replaces the home directory it
// reads ~/.gemini from (0.61.0). ct points it at a per-run overlay: every
// entry of the user's ~/.gemini is a symlink to the real one, except
// settings.json, which is the user's settings with ct's hooks added. The
// system settings layers would leave the user's files alone too, but Gemini
// reads them only from root-owned files.
const HomeEnv = "GEMINI_CLI_HOME"

// beforeToolTimeout is BeforeTool's hook timeout in milliseconds (Gemini
// counts hooks' timeouts in ms): the hook waits while a person decides on
// the hub; past this Gemini kills it and its own dialog asks.
const beforeToolTimeout = 3600 * 1000

// recordTimeout bounds the hooks that only report events (ms).
const recordTimeout = 10 * 1000

// recorded are the events forwarded to the hub for the record; AfterAgent
// and SessionEnd also say an open question was settled.
var recorded = []string{"SessionStart", "BeforeAgent", "AfterTool", "AfterAgent", "Notification", "SessionEnd"}

// created are files Gemini may create at the top of ~/.gemini during a run
// (credentials, ids, trust): linked even when missing, so a write through
// the link lands in the user's own directory.
var created = []string{"oauth_creds.json", "google_accounts.json", "installation_id", "user_id", "projects.json", "trustedFolders.json", "state.json"}

// createdDirs are directories Gemini keeps in ~/.gemini (sessions, shell
// history): made in the user's own directory first, since Gemini's mkdir
// fails on a link to a missing directory.
var createdDirs = []string{"tmp", "history"}

// Setup is one Gemini run's injected configuration.
type Setup struct {
	Dir    string   // private runtime dir (0700), removed by Close
	Socket string   // the wrap's hook socket
	Home   string   // the overlay home named by HomeEnv
	Env    []string // added to the program's environment
}

// Close removes the runtime dir (the overlay's links, not what they name).
func (s *Setup) Close() { _ = os.RemoveAll(s.Dir) }

// Prepare builds the overlay home with ct's hooks; ctPath is the ct binary
// they call, getenv the wrap's environment (HOME, or a GEMINI_CLI_HOME the
// user set, is where the real ~/.gemini is).
func Prepare(ctPath string, getenv func(string) string) (*Setup, error) {
	base := getenv("XDG_RUNTIME_DIR")
	if base == "" || len(base) > 60 { // a socket path must stay short
		base = os.TempDir()
	}
	dir, err := os.MkdirTemp(base, "ct-gemini-")
	if err != nil {
		return nil, fmt.Errorf("create a private runtime dir: %w", err)
	}
	s := &Setup{Dir: dir, Socket: filepath.Join(dir, "hook.sock"), Home: filepath.Join(dir, "home")}
	if err := platform.RestrictDir(dir); err != nil {
		s.Close()
		return nil, err
	}
	if err := overlay(s.Home, userGeminiDir(getenv), ctPath); err != nil {
		s.Close()
		return nil, err
	}
	s.Env = []string{HomeEnv + "=" + s.Home, "CT_HOOK_SOCK=" + s.Socket}
	return s, nil
}

// userGeminiDir is the user's real ~/.gemini.
func userGeminiDir(getenv func(string) string) string {
	home := getenv(HomeEnv)
	if home == "" {
		home = getenv("HOME")
	}
	if home == "" {
		home, _ = os.UserHomeDir()
	}
	return filepath.Join(home, ".gemini")
}

// overlay makes home/.gemini: links to every entry of real (and to the
// files Gemini may create there), and settings.json with ct's hooks.
func overlay(home, real, ctPath string) error {
	dst := filepath.Join(home, ".gemini")
	if err := os.MkdirAll(dst, 0o700); err != nil {
		return fmt.Errorf("create Gemini's overlay home: %w", err)
	}
	for _, d := range createdDirs { // what Gemini keeps there must outlive the run
		if err := os.MkdirAll(filepath.Join(real, d), 0o700); err != nil {
			return fmt.Errorf("create %s: %w", filepath.Join(real, d), err)
		}
	}
	names := append([]string{}, created...)
	entries, _ := os.ReadDir(real)
	for _, e := range entries {
		names = append(names, e.Name())
	}
	for _, n := range names {
		if n == "settings.json" {
			continue
		}
		if err := os.Symlink(filepath.Join(real, n), filepath.Join(dst, n)); err != nil && !os.IsExist(err) {
			return fmt.Errorf("link %s into Gemini's overlay home: %w", n, err)
		}
	}
	settings := map[string]any{}
	path := filepath.Join(real, "settings.json")
	if b, err := os.ReadFile(path); err == nil && len(strings.TrimSpace(string(b))) > 0 && json.Unmarshal(b, &settings) != nil {
		return fmt.Errorf("your %s is not a JSON object: fix it, or run with --no-hooks", path)
	}
	addHooks(settings, ctPath)
	b, _ := json.MarshalIndent(settings, "", "  ")
	if err := os.WriteFile(filepath.Join(dst, "settings.json"), b, 0o600); err != nil {
		return fmt.Errorf("write Gemini hook settings: %w", err)
	}
	return nil
}

// addHooks adds ct's hook groups to settings, keeping any already there.
func addHooks(settings map[string]any, ctPath string) {
	h, _ := settings["hooks"].(map[string]any)
	if h == nil {
		h = map[string]any{}
	}
	add := func(event string, timeout int) {
		cmd := shellQuote(ctPath) + " hook " + event
		group := map[string]any{"matcher": "*", "hooks": []any{
			map[string]any{"type": "command", "name": "ct-" + event, "command": cmd, "timeout": timeout},
		}}
		existing, _ := h[event].([]any)
		h[event] = append(existing, group)
	}
	add("BeforeTool", beforeToolTimeout)
	for _, ev := range recorded {
		add(ev, recordTimeout)
	}
	settings["hooks"] = h
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }
