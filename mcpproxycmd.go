package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/ct-dev/ct/client"
	"github.com/ct-dev/ct/mcpproxy"
)

const mcpProxyUsage = `Usage:
  ct mcp-proxy ls                         the MCP servers peers host through the hub: host, tools, allow-list, calls
  ct mcp-proxy call SERVER TOOL [JSON]    call TOOL on SERVER with JSON arguments (an object, default {}); prints the result

A peer's ct mcp hosts a server with the mcp_register tool; it is listed while
that ct mcp runs. Calls go through the hub to the hosting peer's ct mcp (the
same REST API as the mcp_list and mcp_tool_call tools), only for tools on the
server's allow-list, and are audited. The result is the server's MCP
CallToolResult as JSON; a tool that reports an error exits 1.`

// errToolFailed is a call the server answered with isError: the result
// (already printed) says why.
var errToolFailed = errors.New("the tool reported an error (its result is above)")

func runMCPProxy(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if done, err := groupHelp(args, mcpProxyUsage, stdout); done {
		return err
	}
	fs := newFlagSet("mcp-proxy", mcpProxyUsage, stdout)
	hub, token, peer := coordFlags(fs, getenv)
	pos, err := splitArgs(fs, args[1:], stderr)
	if err != nil {
		return err
	}
	if !(args[0] == "ls" && len(pos) == 0) && !(args[0] == "call" && (len(pos) == 2 || len(pos) == 3)) {
		fmt.Fprintln(stderr, mcpProxyUsage)
		return errUsage
	}
	var req mcpproxy.CallRequest
	if args[0] == "call" {
		req = mcpproxy.CallRequest{Server: pos[0], Tool: pos[1], Args: json.RawMessage(`{}`)}
		if len(pos) == 3 {
			if !json.Valid([]byte(pos[2])) || !strings.HasPrefix(strings.TrimSpace(pos[2]), "{") {
				fmt.Fprintf(stderr, "ct mcp-proxy: the arguments must be a JSON object, such as '{\"text\":\"hi\"}', not %.60q\n", pos[2])
				return errUsage
			}
			req.Args = json.RawMessage(pos[2])
		}
	}
	c, err := client.Open(getenv, client.Settings{Hub: *hub, Token: *token, Peer: *peer}, stderr)
	if err != nil {
		return err
	}
	if args[0] == "ls" {
		list, err := c.MCPServers(ctx)
		if err != nil {
			return err
		}
		printMCPServers(stdout, list)
		return nil
	}
	res, err := c.MCPCall(ctx, req)
	if err != nil {
		return err
	}
	if res.Error != "" {
		return fmt.Errorf("mcp-proxy: %s.%s: %s", req.Server, req.Tool, res.Error)
	}
	var out bytes.Buffer
	if json.Indent(&out, res.Result, "", "  ") != nil {
		out.Reset()
		out.Write(res.Result)
	}
	fmt.Fprintln(stdout, out.String())
	var r struct {
		IsError bool `json:"isError"`
	}
	if json.Unmarshal(res.Result, &r) == nil && r.IsError {
		return errToolFailed
	}
	return nil
}

// printMCPServers writes one block per server: its line, then its tools.
func printMCPServers(w io.Writer, list []mcpproxy.Server) {
	if len(list) == 0 {
		fmt.Fprintln(w, "no proxied MCP servers (a peer's ct mcp hosts one with mcp_register)")
		return
	}
	for _, s := range list {
		allow := "every tool"
		if len(s.AllowTools) > 0 {
			allow = strings.Join(s.AllowTools, ", ")
		}
		fmt.Fprintf(w, "%s  hosted by %s  calls %d  allow-list: %s (%d of %d tools)\n", s.Name, s.Host, s.Calls, allow, len(s.Tools), s.Offered)
		for _, t := range s.Tools {
			fmt.Fprintf(w, "  %s  %s\n", t.Name, t.Description)
		}
	}
}
