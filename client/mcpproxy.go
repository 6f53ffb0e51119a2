package client

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/ct-dev/ct/mcpproxy"
)

// MCPCallWait is the longest a caller waits for a proxied tool call: the
// hub answers within its own --mcp-call-timeout, which this must exceed.
const MCPCallWait = 5 * time.Minute

// MCPServers is GET /api/v1/mcp/servers: the live peer-hosted MCP servers
// and the tools each lets other peers call.
func (c *Client) MCPServers(ctx context.Context) ([]mcpproxy.Server, error) {
	var list []mcpproxy.Server
	err := c.do(ctx, http.MethodGet, "/api/v1/mcp/servers", nil, &list)
	return list, err
}

// MCPRegister is POST /api/v1/mcp/servers: this peer hosts reg.
func (c *Client) MCPRegister(ctx context.Context, reg mcpproxy.Registration) (mcpproxy.Server, error) {
	var out mcpproxy.Server
	err := c.do(ctx, http.MethodPost, "/api/v1/mcp/servers", reg, &out)
	return out, err
}

// MCPUnregister is DELETE /api/v1/mcp/servers/{name}.
func (c *Client) MCPUnregister(ctx context.Context, name string) error {
	return c.do(ctx, http.MethodDelete, "/api/v1/mcp/servers/"+url.PathEscape(name), nil, nil)
}

// MCPCall is POST /api/v1/mcp/calls: the hub routes the call to the
// server's host and answers with its result.
func (c *Client) MCPCall(ctx context.Context, req mcpproxy.CallRequest) (mcpproxy.Result, error) {
	var res mcpproxy.Result
	err := c.send(ctx, c.timeout+MCPCallWait, http.MethodPost, "/api/v1/mcp/calls", "", req, &res)
	return res, err
}

// MCPPoll is GET /api/v1/mcp/host/calls: the calls for this peer's
// servers, the hub waiting up to wait (at most 60 s) for the first, and
// the servers the hub knows this peer hosts.
func (c *Client) MCPPoll(ctx context.Context, wait time.Duration) (mcpproxy.PollAnswer, error) {
	var calls mcpproxy.PollAnswer
	// The hub holds the call up to wait: the deadline is on top of it.
	err := c.send(ctx, c.timeout+wait, http.MethodGet, "/api/v1/mcp/host/calls?wait="+strconv.Itoa(int(wait/time.Second)), "", nil, &calls)
	return calls, err
}

// MCPResult is POST /api/v1/mcp/host/calls/{id}/result: the answer to a
// call MCPPoll handed out.
func (c *Client) MCPResult(ctx context.Context, id string, res mcpproxy.Result) error {
	return c.do(ctx, http.MethodPost, "/api/v1/mcp/host/calls/"+url.PathEscape(id)+"/result", res, nil)
}
