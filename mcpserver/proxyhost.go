package mcpserver

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os/exec"
	"slices"
	"sync"
	"time"

	"github.com/ct-dev/ct/client"
	"github.com/ct-dev/ct/mcpproxy"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// proxyPollWait is how long each long-poll for calls is held by the hub:
// it bounds how late a host that vanished without closing its connection
// is noticed, while costing one request per half-minute when idle.
const proxyPollWait = 30 * time.Second

// ProxyHost runs the MCP servers an agent registers with mcp_register (as
// subprocesses over stdio, with the SDK's client) and answers the calls
// the hub routes to them. Run serves; Close stops every server and tells
// the hub they are gone. Safe for concurrent use.
type ProxyHost struct {
	c   *client.Client
	env []string // the servers' environment: ct mcp's, without ct's credentials
	// mu guards servers and wake: tools register while Run polls.
	mu      sync.Mutex
	servers map[string]*hosted
	wake    chan struct{} // closed (and replaced) when a server is added
}

type hosted struct {
	reg     mcpproxy.Registration
	allowed map[string]bool // empty: every tool the server listed
	session *mcp.ClientSession
}

// NewProxyHost makes a host that registers through c; env is the
// environment the servers it starts get.
func NewProxyHost(c *client.Client, env []string) *ProxyHost {
	return &ProxyHost{c: c, env: env, servers: map[string]*hosted{}, wake: make(chan struct{})}
}

// register starts command, lists its tools and registers it on the hub.
func (p *ProxyHost) register(ctx context.Context, name, command string, args, allow []string) (mcpproxy.Server, error) {
	if command == "" {
		return mcpproxy.Server{}, errors.New("command is the MCP server's program, such as /usr/bin/my-mcp-server")
	}
	cmd := exec.Command(command, args...)
	cmd.Env = p.env
	cl := mcp.NewClient(&mcp.Implementation{Name: "ct-mcp-proxy"}, nil)
	sess, err := cl.Connect(ctx, &mcp.CommandTransport{Command: cmd}, nil)
	if err != nil {
		return mcpproxy.Server{}, fmt.Errorf("start MCP server %s: %w; check the command runs and speaks MCP on stdio", command, err)
	}
	reg := mcpproxy.Registration{Name: name, AllowTools: allow}
	for t, err := range sess.Tools(ctx, nil) {
		if err != nil {
			sess.Close()
			return mcpproxy.Server{}, fmt.Errorf("list the tools of %s: %w", command, err)
		}
		schema, _ := json.Marshal(t.InputSchema)
		reg.Tools = append(reg.Tools, mcpproxy.Tool{Name: t.Name, Description: t.Description, InputSchema: schema})
	}
	for _, a := range allow {
		if !slices.ContainsFunc(reg.Tools, func(t mcpproxy.Tool) bool { return t.Name == a }) {
			sess.Close()
			return mcpproxy.Server{}, fmt.Errorf("allow_tools names %q, which %s does not offer; leave it out or pick from its tools", a, command)
		}
	}
	srv, err := p.c.MCPRegister(ctx, reg)
	if err != nil {
		sess.Close()
		return mcpproxy.Server{}, err
	}
	h := &hosted{reg: reg, allowed: map[string]bool{}, session: sess}
	for _, t := range srv.Tools {
		h.allowed[t.Name] = true
	}
	p.mu.Lock()
	if old := p.servers[name]; old != nil {
		old.session.Close()
	}
	p.servers[name] = h
	close(p.wake)
	p.wake = make(chan struct{})
	p.mu.Unlock()
	return srv, nil
}

// unregister stops server name and tells the hub.
func (p *ProxyHost) unregister(ctx context.Context, name string) error {
	p.mu.Lock()
	h := p.servers[name]
	delete(p.servers, name)
	p.mu.Unlock()
	if h == nil {
		return fmt.Errorf("this ct mcp hosts no server %q", name)
	}
	h.session.Close()
	return p.c.MCPUnregister(ctx, name)
}

// Run answers the hub's calls until ctx ends: it long-polls while it
// hosts a server, and registers its servers again when the hub forgot
// them (a restart, or a network break that looked like leaving): each
// poll's answer says which servers the hub has this peer hosting.
func (p *ProxyHost) Run(ctx context.Context) {
	backoff := time.Second
	for ctx.Err() == nil {
		p.mu.Lock()
		n, wake := len(p.servers), p.wake
		p.mu.Unlock()
		if n == 0 {
			select {
			case <-wake:
			case <-ctx.Done():
				return
			}
			continue
		}
		ans, err := p.c.MCPPoll(ctx, proxyPollWait)
		for _, call := range ans.Calls {
			// One goroutine per call: a slow tool must not hold the next
			// poll (the hub bounds how many calls wait for one host).
			go p.answer(ctx, call)
		}
		if err == nil && p.reregister(ctx, ans.Hosting) {
			backoff = time.Second
		} else {
			// Why a pause: a hub that is away, or that refuses a server
			// again (its name taken meanwhile), answers at once and would
			// be polled in a tight loop; the pause doubles up to 30 s.
			select {
			case <-time.After(backoff):
			case <-ctx.Done():
			}
			backoff = min(2*backoff, 30*time.Second)
		}
	}
}

// reregister registers again the hosted servers the hub does not list
// in hosting; false means one was refused.
func (p *ProxyHost) reregister(ctx context.Context, hosting []string) bool {
	p.mu.Lock()
	var regs []mcpproxy.Registration
	for name, h := range p.servers {
		if !slices.Contains(hosting, name) {
			regs = append(regs, h.reg)
		}
	}
	p.mu.Unlock()
	ok := true
	for _, reg := range regs {
		if _, err := p.c.MCPRegister(ctx, reg); err != nil {
			ok = false // unreachable until the next try
		}
	}
	return ok
}

// answer calls the tool on its server and posts the result to the hub.
// The allow-list is checked here too: a hub cannot make this host call a
// tool the agent did not allow.
func (p *ProxyHost) answer(ctx context.Context, call mcpproxy.Call) {
	p.mu.Lock()
	h := p.servers[call.Server]
	p.mu.Unlock()
	var res mcpproxy.Result
	switch {
	case h == nil:
		res.Error = "server " + call.Server + " is no longer hosted here"
	case !h.allowed[call.Tool]:
		res.Error = "tool " + call.Tool + " is not on server " + call.Server + "'s allow-list"
	default:
		var args any = call.Args
		if len(call.Args) == 0 {
			args = map[string]any{} // servers refuse null arguments
		}
		out, err := h.session.CallTool(ctx, &mcp.CallToolParams{Name: call.Tool, Arguments: args})
		if err != nil {
			res.Error = "the server failed the call: " + err.Error()
		} else if res.Result, err = json.Marshal(out); err != nil {
			res.Error = "the server's result is not JSON: " + err.Error()
		}
	}
	_ = p.c.MCPResult(ctx, call.ID, res) // a caller that gave up is not an error here
}

// Close stops every server and tells the hub (best effort: the hub also
// drops them when this process's poll connection closes).
func (p *ProxyHost) Close(ctx context.Context) {
	p.mu.Lock()
	servers := p.servers
	p.servers = map[string]*hosted{}
	p.mu.Unlock()
	for name, h := range servers {
		h.session.Close()
		_ = p.c.MCPUnregister(ctx, name)
	}
}
