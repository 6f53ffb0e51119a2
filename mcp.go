package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/ct-dev/ct/client"
	"github.com/ct-dev/ct/coord"
	"github.com/ct-dev/ct/mcpserver"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

const mcpUsage = `Usage: ct mcp [--hub URL] [--token TOKEN] [--as PEER]

An MCP server on standard input/output (the official Go SDK) that gives an
agent ct's coordination tools: list_peers, send_message, check_messages,
list_messages, ack_message, set_status, lock, unlock, list_locks, add_todo, update_todo,
list_todos, schedule_reminder, list_reminders; and, to coordinate other
sessions under its person's rights, list_sessions, read_screen,
read_transcript, send_input (only while that person holds the session's
wheel, never while it shows a question) and start_session; the MCP
proxy: mcp_register runs an MCP server here (over stdio, without ct's
credentials in its environment) that other peers list with mcp_list and
call with mcp_tool_call through the hub (only its allow_tools, while this
ct mcp runs), mcp_unregister stops it; and list_peer_files / get_peer_file
to read what another peer's ct wrap shares (--share-dir). It calls the hub's API with
an API token (CT_API_TOKEN, else CT_TOKEN; under ct wrap, the session's own
agent credential from CT_AGENT_TOKEN_FILE, which can coordinate only) and acts as the peer named by --as / CT_PEER, else
after the session it runs in (CT_SESSION, set by ct wrap), else this host.
Messages and todo changes made while the hub is away are queued on disk and
delivered when it is back; locks are never granted while it is away.
Messages to "me" (send_message private) and private todos are in the private
space of the person the agent works for: only they and their agents see them.
With --type-notices the hub types a one-line notice into the session's
prompt when a message arrives while the agent waits for input.`

func runMCP(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("mcp", mcpUsage, stdout)
	hub, token, peer := coordFlags(fs, getenv)
	notices := fs.Bool("type-notices", envOr(getenv, "CT_TYPE_NOTICES", "") == "1",
		"let the hub type a one-line notice into this session's prompt when a message arrives while it waits (env CT_TYPE_NOTICES=1)")
	if err := parseFlags(fs, args, stderr); err != nil {
		return err
	}
	if *peer == "" {
		*peer = defaultAgentPeer(getenv)
	}
	if f := getenv("CT_AGENT_TOKEN_FILE"); *token == "" && f != "" {
		*token = agentCredential(ctx, f) // under ct wrap: the session's own credential
	}
	c, err := client.Open(getenv, client.Settings{Hub: *hub, Token: *token, Peer: *peer, Kind: coord.KindAI}, stderr)
	if err != nil {
		return err
	}
	sid := getenv("CT_SESSION")
	proxy := mcpserver.NewProxyHost(c, proxyEnv(os.Environ()))
	srv := mcpserver.New(mcpserver.Options{Client: c, Version: version, Session: sid, Proxy: proxy})
	// Say where this agent runs; a hub that is away now will hear on the next call.
	host := machineName(getenv)
	cwd, _ := os.Getwd()
	me := coord.PeerUpdate{Machine: &host, Cwd: &cwd}
	if sid != "" {
		me.Session, me.NotifyPrompt = &sid, notices
	}
	if _, err := c.UpdatePeer(ctx, me); err != nil && !errors.Is(err, client.ErrHubAway) {
		fmt.Fprintf(stderr, "ct mcp: %v\n", err)
	}
	// The proxy's poll loop lives as long as this MCP session; on the way
	// out its servers stop and the hub is told they are gone.
	proxyCtx, stopProxy := context.WithCancel(ctx)
	proxyDone := make(chan struct{})
	go func() { defer close(proxyDone); proxy.Run(proxyCtx) }()
	defer func() {
		stopProxy()
		<-proxyDone
		closeCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		proxy.Close(closeCtx)
	}()
	err = srv.Run(ctx, &mcp.StdioTransport{})
	if errors.Is(err, context.Canceled) || errors.Is(err, io.EOF) {
		return nil
	}
	return err
}

// proxyEnv is the environment of the MCP servers an agent registers:
// ct mcp's own, without ct's credentials (a proxied server is the agent's
// program and never acts on the hub as the agent).
func proxyEnv(env []string) []string {
	out := make([]string, 0, len(env))
	for _, kv := range env {
		k, _, _ := strings.Cut(kv, "=")
		if k == "CT_API_TOKEN" || k == "CT_TOKEN" || k == "CT_AGENT_TOKEN_FILE" {
			continue
		}
		out = append(out, kv)
	}
	return out
}

// agentWait bounds how long ct mcp waits for its wrap to receive the
// session's agent credential (the wrap's first connection to the hub,
// usually well under a second); past it ct mcp starts without one and its
// tools say the hub refused them.
const agentWait = 10 * time.Second

// agentCredential reads the session's agent credential that ct wrap writes
// to path once the hub sends it, waiting up to agentWait for it.
func agentCredential(ctx context.Context, path string) string {
	deadline := time.Now().Add(agentWait)
	for {
		if b, err := os.ReadFile(path); err == nil && len(b) > 0 {
			return strings.TrimSpace(string(b))
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return ""
		}
		// The wrap renames the file into place; polling a local file is
		// cheaper and simpler than a watch for a one-time wait.
		time.Sleep(100 * time.Millisecond)
	}
}

// defaultAgentPeer names an agent after the ct session it runs in.
func defaultAgentPeer(getenv func(string) string) string {
	host, _, _ := strings.Cut(machineName(getenv), ".")
	if sid := getenv("CT_SESSION"); sid != "" {
		if len(sid) > 8 {
			sid = sid[:8]
		}
		return host + "-" + sid
	}
	return host + "-" + filepath.Base(mustGetwd())
}

// machineName is the machine ct mcp runs on as the hub knows it: the wrap's
// CT_NAME (ct wrap puts it in the program's environment), else the host name.
func machineName(getenv func(string) string) string {
	if name := getenv("CT_NAME"); name != "" {
		return name
	}
	host, _ := os.Hostname()
	return host
}

func mustGetwd() string {
	d, _ := os.Getwd()
	return d
}
