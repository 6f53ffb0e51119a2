// Package nodeagent owns ct node, the workstation daemon: one outbound
// control connection to the hub that registers the machine and receives
// requests to start sessions, the workstation's own policy that accepts or
// refuses them, the sessions it runs (ptywrap.Headless, each streaming over
// its own wrap connection) and the local socket ct attach uses. It never
// trusts the hub: every request is checked against Policy here. It must not
// import the hub's packages.
package nodeagent

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sort"
	"sync"
	"time"

	"github.com/ct-dev/ct/agent"
	"github.com/ct-dev/ct/ptywrap"
	"github.com/ct-dev/ct/wire"
	"github.com/ct-dev/ct/wsdial"
)

// Config is what one ct node needs.
type Config struct {
	Hub     string
	Token   string
	Name    string // machine name (default: hostname)
	Policy  Policy
	Version string
	Socket  string // the attach socket's path
	Spool   int
	NoHooks bool   // for agents with hooks (claude): do not inject ct's hooks
	Self    string // this ct executable, for Claude Code's hooks ("" = os.Executable)
	// Files, when set, is what every session of this node shares with the
	// hub's peers (ct node --share-dir); nil shares nothing.
	Files ptywrap.Files
	Log   *slog.Logger
}

// Agent is a running ct node.
type Agent struct {
	cfg Config

	mu       sync.Mutex
	sessions map[string]*running
	stopping bool
}

type running struct {
	h       *ptywrap.Headless
	cleanup func()
}

// New prepares an agent; Run starts it.
func New(cfg Config) *Agent {
	if cfg.Name == "" {
		cfg.Name, _ = os.Hostname()
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	return &Agent{cfg: cfg, sessions: map[string]*running{}}
}

// stopGrace bounds how long a stopping node waits for its sessions' last
// output to reach the hub after hanging them up.
const stopGrace = 3 * time.Second

// Run listens for ct attach, keeps the control connection to the hub up
// until ctx ends, then hangs up its sessions (a node that stops takes its
// sessions with it, as a closed terminal would).
func (a *Agent) Run(ctx context.Context) error {
	ln, err := listenAttach(a.cfg.Socket)
	if err != nil {
		return err
	}
	defer ln.Close()
	go a.serveAttach(ln)
	// Sessions stream with their own context: they must outlive a lost hub
	// and get a moment to say goodbye when the node stops.
	sessCtx, stopSessions := context.WithCancel(context.WithoutCancel(ctx))
	defer stopSessions()
	a.control(ctx, sessCtx)

	a.mu.Lock()
	a.stopping = true
	rs := make([]*running, 0, len(a.sessions))
	for _, r := range a.sessions {
		rs = append(rs, r)
	}
	a.mu.Unlock()
	deadline := time.After(stopGrace)
	for _, r := range rs {
		r.h.Hangup()
	}
	for _, r := range rs {
		select {
		case <-r.h.Flushed():
		case <-deadline:
			return nil
		}
	}
	return nil
}

// register is what the node tells the hub about itself on every connect.
// It names the sessions it still runs, so the hub can end the ones a
// restarted node no longer has.
func (a *Agent) register() wire.NodeRegister {
	a.mu.Lock()
	ids := make([]string, 0, len(a.sessions))
	for id := range a.sessions {
		ids = append(ids, id)
	}
	a.mu.Unlock()
	return wire.NodeRegister{
		Hello: wsdial.Hello(a.cfg.Name, a.cfg.Version),
		Allow: a.cfg.Policy.Allow, Roots: a.cfg.Policy.Roots,
		Sessions: ids, ReportsSessions: true,
	}
}

// Spawn checks a request against the policy and starts the session.
func (a *Agent) Spawn(ctx context.Context, req wire.NodeSpawn) (string, error) {
	if err := a.cfg.Policy.Command(req.Command); err != nil {
		return "", err
	}
	dir, err := a.cfg.Policy.Dir(req.Cwd)
	if err != nil {
		return "", err
	}
	id, branch := "", ""
	if req.Worktree {
		if req.Resume != "" {
			return "", fmt.Errorf("a resumed session runs where it ran before: leave out the new worktree")
		}
		id, branch = ptywrap.NewSessionID(), ""
		if dir, err = addWorktree(dir, id); err != nil {
			return "", err
		}
		branch = worktreeBranch(id)
	}
	hc, cleanup, err := a.launch(req, dir)
	if err != nil {
		a.dropWorktree(id, dir)
		return "", err
	}
	hc.ID, hc.Worktree = id, branch
	h, err := ptywrap.StartHeadless(ctx, hc)
	if err != nil {
		cleanup()
		a.dropWorktree(id, dir)
		return "", err
	}
	a.mu.Lock()
	a.sessions[h.ID] = &running{h: h, cleanup: cleanup}
	a.mu.Unlock()
	a.cfg.Log.Info("session started", "session", h.ID, "command", req.Command, "cwd", dir, "by", req.By)
	go func() {
		<-h.Flushed()
		cleanup()
		a.mu.Lock()
		delete(a.sessions, h.ID)
		a.mu.Unlock()
		a.cfg.Log.Info("session ended", "session", h.ID, "exit", h.ExitCode())
	}()
	// Answer once the session has reached the hub (or tried to), so that the
	// person who asked can open it at once.
	h.WaitConnected(5 * time.Second)
	return h.ID, nil
}

// launch prepares how req's program runs in dir: through Codex's
// app-server when asked, else under the PTY with the adapter's hooks (the
// same adapter lookup as ct wrap's guess: claude gets ct's hooks).
func (a *Agent) launch(req wire.NodeSpawn, dir string) (ptywrap.HeadlessConfig, func(), error) {
	switch req.Protocol {
	case "":
	case wire.ProtocolAppServer:
		return a.appServer(req, dir)
	default:
		return ptywrap.HeadlessConfig{}, nil, fmt.Errorf("unknown protocol %q: use %q (codex) or none", req.Protocol, wire.ProtocolAppServer)
	}
	ag := agent.Detect(req.Command)
	resume, err := resumeArgs(ag, req)
	if err != nil {
		return ptywrap.HeadlessConfig{}, nil, err
	}
	launch, input, err := launchFor(ag, a.cfg.Self, req.Prompt, resume, a.cfg.NoHooks)
	var bad *promptError
	if errors.As(err, &bad) {
		return ptywrap.HeadlessConfig{}, nil, err
	}
	if err != nil {
		a.cfg.Log.Warn("cannot set up agent hooks; approvals only at the terminal", "agent", ag.Name, "error", err)
	}
	return ptywrap.HeadlessConfig{
		Command: req.Command, Args: launch.Args, ShownArgs: launch.ShownArgs, Env: launch.Env, Plugin: launch.Plugin,
		Agent: launch.Agent, Hooks: launch.Hooks, Input: input, Dir: dir, Hub: a.cfg.Hub, Token: a.cfg.Token,
		Name: a.cfg.Name, Spool: a.cfg.Spool, Version: a.cfg.Version, Cols: 100, Rows: 30, Files: a.cfg.Files,
		Commands: ag.SlashCommands(dir),
	}, launch.Close, nil
}

// session returns a running session by id.
func (a *Agent) session(id string) (*ptywrap.Headless, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	r, ok := a.sessions[id]
	if !ok {
		return nil, fmt.Errorf("no session %s on this node (ct attach lists them)", id)
	}
	return r.h, nil
}

// SessionInfo describes one running session for ct attach's list.
type SessionInfo struct {
	ID      string    `json:"id"`
	Command string    `json:"command"`
	Cwd     string    `json:"cwd"`
	Started time.Time `json:"started"`
}

func (a *Agent) list() []SessionInfo {
	a.mu.Lock()
	defer a.mu.Unlock()
	out := make([]SessionInfo, 0, len(a.sessions))
	for _, r := range a.sessions {
		out = append(out, SessionInfo{ID: r.h.ID, Command: r.h.Command, Cwd: r.h.Dir, Started: r.h.Started})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Started.Before(out[j].Started) })
	return out
}
