package nodeagent

import (
	"context"
	"fmt"

	"github.com/ct-dev/ct/wire"
	"github.com/ct-dev/ct/wsdial"
)

// control keeps the control connection up until ctx ends, reconnecting with
// ct wrap's backoff; sessions it starts live on sessCtx.
func (a *Agent) control(ctx, sessCtx context.Context) {
	wsdial.Redial(ctx, nil, func(ctx context.Context) error { return a.connect(ctx, sessCtx) }, func(err error) {
		if ctx.Err() == nil {
			a.cfg.Log.Warn("hub connection lost; retrying", "hub", a.cfg.Hub, "error", err)
		}
	})
}

// connect runs one control connection: register, then answer node.spawn
// requests until the connection ends.
func (a *Agent) connect(ctx, sessCtx context.Context) error {
	u, err := wsdial.URL(a.cfg.Hub, "/ws/node")
	if err != nil {
		return err
	}
	reg, _ := wire.New(wire.TypeNodeRegister, a.register())
	c, _, err := wsdial.Dial(ctx, u, a.cfg.Token, wsdial.Handshake{
		Send: []wire.Envelope{reg}, Want: wire.TypeNodeReady, What: "node"})
	if err != nil {
		return err
	}
	defer c.CloseNow()
	a.cfg.Log.Info("node registered", "hub", a.cfg.Hub, "name", a.cfg.Name)
	for {
		e, err := c.Read(ctx)
		if err != nil {
			if ctx.Err() != nil {
				c.Close("node stopping")
			}
			return err
		}
		switch e.Type {
		case wire.TypeNodeSpawn:
			var req wire.NodeSpawn
			if err := e.Decode(&req); err != nil {
				continue
			}
			// Off the read loop: starting a session waits for its first
			// connection, and pings must still be answered meanwhile.
			go func() {
				out := wire.NodeSpawned{Request: req.Request}
				if id, err := a.spawn(sessCtx, req); err != nil {
					out.Refused = err.Error()
					a.cfg.Log.Warn("session refused", "command", req.Command, "cwd", req.Cwd, "by", req.By, "reason", err)
				} else {
					out.SessionID = id
				}
				ans, _ := wire.New(wire.TypeNodeSpawned, out)
				_ = c.Write(ctx, ans) // coder/websocket allows concurrent writers
			}()
		case wire.TypeNodeCleanup:
			var req wire.NodeCleanup
			if e.Decode(&req) != nil {
				continue
			}
			go func() { // git may take a moment; pings must still be answered
				out := wire.NodeCleaned{Request: req.Request}
				if err := wire.CheckAgentSessionID(req.SessionID); err != nil {
					out.Note = "worktree kept: not a session id"
				} else {
					out.Removed, out.Note = a.cleanupWorktree(req.SessionID, req.Dir)
				}
				a.cfg.Log.Info("worktree cleanup", "session", req.SessionID, "removed", out.Removed, "note", out.Note)
				ans, _ := wire.New(wire.TypeNodeCleaned, out)
				_ = c.Write(ctx, ans)
			}()
		case wire.TypeNodeAgentSessions:
			var req wire.NodeAgentSessions
			if e.Decode(&req) != nil {
				continue
			}
			go func() { // reads files; pings must still be answered
				out := wire.NodeAgentList{Request: req.Request}
				var err error
				if out.Sessions, err = a.agentSessions(req); err != nil {
					out.Refused, out.Sessions = err.Error(), nil
				}
				ans, _ := wire.New(wire.TypeNodeAgentList, out)
				_ = c.Write(ctx, ans)
			}()
		case wire.TypeError:
			var m wire.Error
			_ = e.Decode(&m)
			return fmt.Errorf("hub: %s", m.Message)
		}
	}
}

// spawn refuses while the node is stopping, then starts the session.
func (a *Agent) spawn(ctx context.Context, req wire.NodeSpawn) (string, error) {
	a.mu.Lock()
	stopping := a.stopping
	a.mu.Unlock()
	if stopping {
		return "", fmt.Errorf("the node is stopping")
	}
	return a.Spawn(ctx, req)
}
