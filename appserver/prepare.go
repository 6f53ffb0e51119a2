package appserver

import (
	"os"
	"path/filepath"

	"github.com/ct-dev/ct/claudehook"
	"github.com/ct-dev/ct/wire"
)

// Options is how claudehook's Bridge serves an app-server session: prompts
// declare the codex agent, the transcript is Run's entry file, a key at the
// terminal while the hub waits hands the question to Run's own question on
// the screen (and is swallowed), and an "allow for this session" says so in
// its reply (Run answers acceptForSession).
func Options() claudehook.Options {
	return claudehook.Options{
		Agent: wire.AgentCodex, Name: "Codex", KeyReleases: true, SessionScope: true,
		Transcript: func() claudehook.LineParser { return Entries{} },
	}
}

// Prepared is what ct node needs to run one app-server session: the
// program is ct itself (`ct appserver`) with Args, Env added to its
// environment, and Bridge as the session's plugin.
type Prepared struct {
	Args   []string
	Env    []string
	Bridge *claudehook.Bridge
	dir    string
}

// Close stops the bridge and removes the private runtime dir.
func (p *Prepared) Close() { p.Bridge.Close(); _ = os.RemoveAll(p.dir) }

// Prepare sets up an app-server session of the codex executable in cwd
// with a first prompt: a private runtime dir with the hook socket and the
// transcript file, and `ct appserver`'s arguments (the prompt after "--").
func Prepare(codex, cwd, prompt string) (*Prepared, error) {
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
	args := []string{"appserver", "--codex", codex, "--cwd", cwd, "--transcript", filepath.Join(dir, "transcript.jsonl")}
	if prompt != "" {
		args = append(args, "--", prompt)
	}
	return &Prepared{Args: args, Env: []string{"CT_HOOK_SOCK=" + sock}, Bridge: b, dir: dir}, nil
}
