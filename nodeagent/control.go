package nodeagent

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strings"
	"time"

	"github.com/coder/websocket"
	"github.com/ct-dev/ct/ptywrap"
	"github.com/ct-dev/ct/wire"
)

// Reconnect backoff, as ct wrap's: 1 s doubling to 30 s, jittered ±20%.
const (
	backoffMin = time.Second
	backoffMax = 30 * time.Second
)

// ControlURL turns a hub URL into the node's WebSocket endpoint.
func ControlURL(hub string) (string, error) {
	u, err := ptywrap.WSURL(hub)
	if err != nil {
		return "", err
	}
	return strings.TrimSuffix(u, "/ws/wrap") + "/ws/node", nil
}

// control keeps the control connection up until ctx ends; sessions it starts
// live on sessCtx.
func (a *Agent) control(ctx, sessCtx context.Context) {
	wait := backoffMin
	for {
		began := time.Now()
		err := a.connect(ctx, sessCtx)
		if ctx.Err() != nil {
			return
		}
		a.cfg.Log.Warn("hub connection lost; retrying", "hub", a.cfg.Hub, "error", err)
		if time.Since(began) > backoffMax {
			wait = backoffMin // it was a working connection, not a failing one
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Duration(float64(wait) * (0.8 + 0.4*rand.Float64()))):
		}
		wait = min(wait*2, backoffMax)
	}
}

// connect runs one control connection: register, then answer node.spawn
// requests until the connection ends.
func (a *Agent) connect(ctx, sessCtx context.Context) error {
	u, err := ControlURL(a.cfg.Hub)
	if err != nil {
		return err
	}
	dialCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	hdr := http.Header{}
	if a.cfg.Token != "" {
		hdr.Set("Authorization", "Bearer "+a.cfg.Token)
	}
	c, resp, err := websocket.Dial(dialCtx, u, &websocket.DialOptions{HTTPHeader: hdr})
	if err != nil {
		if resp != nil && resp.StatusCode >= 400 {
			b, _ := io.ReadAll(io.LimitReader(resp.Body, 300))
			return fmt.Errorf("hub refused the node: %s: %s", resp.Status, strings.TrimSpace(string(b)))
		}
		return err
	}
	defer c.CloseNow()
	c.SetReadLimit(wire.MaxFrame)
	reg, _ := wire.New(wire.TypeNodeRegister, a.register())
	if err := write(ctx, c, reg); err != nil {
		return err
	}
	ready, err := read(ctx, c)
	if err != nil {
		return err
	}
	if ready.Type == wire.TypeError {
		var m wire.Error
		_ = ready.Decode(&m)
		return fmt.Errorf("hub refused the node: %s", m.Message)
	}
	if ready.Type != wire.TypeNodeReady {
		return fmt.Errorf("hub answered %s instead of %s", ready.Type, wire.TypeNodeReady)
	}
	a.cfg.Log.Info("node registered", "hub", a.cfg.Hub, "name", a.cfg.Name)
	for {
		e, err := read(ctx, c)
		if err != nil {
			if ctx.Err() != nil {
				_ = c.Close(websocket.StatusNormalClosure, "node stopping")
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
				_ = write(ctx, c, ans) // coder/websocket allows concurrent writers
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

func write(ctx context.Context, c *websocket.Conn, e wire.Envelope) error {
	b, err := wire.Marshal(e)
	if err != nil {
		return err
	}
	return c.Write(ctx, websocket.MessageBinary, b)
}

func read(ctx context.Context, c *websocket.Conn) (wire.Envelope, error) {
	_, b, err := c.Read(ctx)
	if err != nil {
		return wire.Envelope{}, err
	}
	return wire.Unmarshal(b)
}
