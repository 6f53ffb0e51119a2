package codexhook

import (
	"os"
	"path/filepath"

	"github.com/ct-dev/ct/claudehook"
	"github.com/ct-dev/ct/wire"
)

// Options is how claudehook's Bridge serves Codex: prompts declare the
// codex agent, the transcript is the rollout, and since Codex draws no
// dialog while its PermissionRequest hook waits, a key at the terminal
// hands the question back to Codex's own dialog (and is swallowed).
func Options() claudehook.Options {
	return claudehook.Options{
		Agent: wire.AgentCodex, Name: "Codex", KeyReleases: true,
		Transcript: func() claudehook.LineParser { return Rollout{} },
	}
}

// Injected is what running Codex with ct's hooks takes.
type Injected struct {
	Args   []string // the program's arguments with ct's overrides first
	Env    []string // added to the program's environment
	Bridge *claudehook.Bridge
	dir    string
}

// Close stops the bridge and removes the private runtime dir.
func (in *Injected) Close() { in.Bridge.Close(); _ = os.RemoveAll(in.dir) }

// Inject prepares ct's hooks for a Codex run with args; ctPath is the ct
// binary the hooks call. --no-daemon comes first: a bare codex hands the
// session to a background app-server that outlives the TUI and runs hooks
// with its own environment, where CT_HOOK_SOCK is not set.
func Inject(ctPath string, args []string) (*Injected, error) {
	dir, err := claudehook.RuntimeDir()
	if err != nil {
		return nil, err
	}
	sock := filepath.Join(dir, "hook.sock")
	b, err := claudehook.ListenWith(sock, Options())
	if err != nil {
		_ = os.RemoveAll(dir)
		return nil, err
	}
	out := append(append([]string{"--no-daemon"}, Overrides(ctPath)...), args...)
	return &Injected{Args: out, Env: []string{"CT_HOOK_SOCK=" + sock}, Bridge: b, dir: dir}, nil
}
