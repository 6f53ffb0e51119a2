package codexhook

import (
	"os"
	"path/filepath"
	"strings"

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
	sock, agentFile := filepath.Join(dir, "hook.sock"), filepath.Join(dir, "agent-token")
	opts := Options()
	opts.AgentFile = agentFile // the session's agent credential, for ct mcp
	b, err := claudehook.ListenWith(sock, opts)
	if err != nil {
		_ = os.RemoveAll(dir)
		return nil, err
	}
	out := append(append(append([]string{"--no-daemon"}, Overrides(ctPath)...), MCPOverrides(ctPath)...), args...)
	env := []string{"CT_HOOK_SOCK=" + sock, "CT_AGENT_TOKEN_FILE=" + agentFile}
	return &Injected{Args: out, Env: env, Bridge: b, dir: dir}, nil
}

// mcpEnv are the variables ct mcp reads under a wrap. Codex starts an MCP
// server with only a few of its own variables (HOME, PATH, …) plus those
// named in env_vars, so they are named: the hub (CT_HUB), the session
// (CT_SESSION), the agent credential's file, the machine and peer names.
var mcpEnv = []string{"CT_HUB", "CT_SESSION", "CT_AGENT_TOKEN_FILE", "CT_NAME", "CT_PEER", "CT_TYPE_NOTICES"}

// MCPOverrides are the -c arguments that add `ctPath mcp` (ct's
// coordination tools) to the run as the MCP server "ct", as Claude Code
// gets it with --mcp-config. It acts with the session's own agent
// credential (CT_AGENT_TOKEN_FILE, written by the bridge when the hub
// sends it), which can coordinate only; the user's config.toml is not
// touched, and a server "ct" the user configured is replaced for this run.
func MCPOverrides(ctPath string) []string {
	quoted := make([]string, len(mcpEnv))
	for i, v := range mcpEnv {
		quoted[i] = tomlString(v)
	}
	return []string{
		"-c", "mcp_servers.ct.command=" + tomlString(ctPath),
		"-c", `mcp_servers.ct.args=["mcp"]`,
		"-c", "mcp_servers.ct.env_vars=[" + strings.Join(quoted, ",") + "]",
	}
}
