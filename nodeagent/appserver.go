package nodeagent

import (
	"fmt"
	"os"
	"os/exec"

	"github.com/ct-dev/ct/agent"
	"github.com/ct-dev/ct/appserver"
	"github.com/ct-dev/ct/ptywrap"
	"github.com/ct-dev/ct/wire"
)

// appServer prepares a Codex session driven through `codex app-server`:
// the PTY runs `ct appserver` (this executable), which speaks Codex's
// JSON-RPC and asks the session's Bridge for approvals, so nothing on the
// screen is parsed. The allow-list names codex; only codex is run this way.
func (a *Agent) appServer(req wire.NodeSpawn, dir string) (ptywrap.HeadlessConfig, func(), error) {
	fail := func(err error) (ptywrap.HeadlessConfig, func(), error) { return ptywrap.HeadlessConfig{}, nil, err }
	if agent.Detect(req.Command).Name != wire.AgentCodex {
		return fail(fmt.Errorf("the %s protocol runs codex only, not %q", wire.ProtocolAppServer, req.Command))
	}
	if req.Resume != "" || req.Fork {
		return fail(fmt.Errorf("resume and fork run codex's terminal UI: leave the protocol empty"))
	}
	if _, _, err := launchFor(agent.Plain(), "", req.Prompt, nil, true); err != nil {
		return fail(err) // the same first-prompt checks as any session
	}
	codex, err := exec.LookPath(req.Command)
	if err != nil {
		return fail(fmt.Errorf("%s: not found in PATH on this machine", req.Command))
	}
	self := a.cfg.Self
	if self == "" {
		if self, err = os.Executable(); err != nil {
			return fail(fmt.Errorf("cannot find this ct executable to run ct appserver: %w", err))
		}
	}
	p, err := appserver.Prepare(codex, dir, req.Prompt)
	if err != nil {
		return fail(fmt.Errorf("cannot set up the app-server session: %w", err))
	}
	return ptywrap.HeadlessConfig{
		Command: self, Shown: req.Command, Args: p.Args, ShownArgs: []string{wire.ProtocolAppServer}, Env: p.Env,
		Plugin: p.Bridge, Agent: wire.AgentCodex, Hooks: true, Dir: dir, Hub: a.cfg.Hub, Token: a.cfg.Token,
		Name: a.cfg.Name, Spool: a.cfg.Spool, Version: a.cfg.Version, Cols: 100, Rows: 30,
	}, p.Close, nil
}
