// Package mcpproxy owns the hub's side of the MCP proxy: which MCP servers
// peers host (registered by their ct mcp, kept in memory only: a server
// lives exactly as long as its host's ct mcp keeps polling), the allow-list
// of tools each exposes, and the routing of a tool call from a caller to
// the hosting peer and of its result back. It also defines the API's
// shapes, which client/ encodes and handlers/ decodes. It never starts a
// process or speaks MCP itself (mcpserver does, on the workstation) and
// knows nothing of HTTP: handlers call it.
package mcpproxy

import (
	"encoding/json"
	"time"
)

// Tool is one tool a proxied server offers, as its MCP tools/list said.
type Tool struct {
	Name        string          `json:"name"`
	Description string          `json:"description,omitempty"`
	InputSchema json.RawMessage `json:"input_schema,omitempty"`
}

// Registration is POST /api/v1/mcp/servers: a server the calling peer
// hosts, the tools its ct mcp found, and the ones other peers may call
// (empty: every tool listed).
type Registration struct {
	Name       string   `json:"name"`
	Tools      []Tool   `json:"tools"`
	AllowTools []string `json:"allow_tools,omitempty"`
}

// Server is a registered server as GET /api/v1/mcp/servers lists it: only
// the tools other peers may call, the allow-list that chose them, and how
// many calls the hub has routed to it since it registered.
type Server struct {
	Name       string    `json:"name"`
	Host       string    `json:"host"` // the peer whose ct mcp runs it
	Tools      []Tool    `json:"tools"`
	AllowTools []string  `json:"allow_tools,omitempty"` // as registered; empty: every tool the server offers
	Offered    int       `json:"offered"`               // how many tools the server itself listed
	Calls      int       `json:"calls"`                 // calls routed to its host (refused ones not counted)
	Registered time.Time `json:"registered"`
}

// CallRequest is POST /api/v1/mcp/calls: call tool on server with args
// (a JSON object), answered when the host returns the result.
type CallRequest struct {
	Server string          `json:"server"`
	Tool   string          `json:"tool"`
	Args   json.RawMessage `json:"args,omitempty"`
}

// Call is one call the hub hands to the hosting ct mcp
// (GET /api/v1/mcp/host/calls).
type Call struct {
	ID     string          `json:"id"`
	Server string          `json:"server"`
	Tool   string          `json:"tool"`
	Caller string          `json:"caller"`
	Args   json.RawMessage `json:"args,omitempty"`
}

// PollAnswer is GET /api/v1/mcp/host/calls's answer: the calls for the
// caller's servers, and the servers the hub knows it hosts, so a host
// whose servers were dropped (a hub restart, a network break that looked
// like leaving) registers them again.
type PollAnswer struct {
	Calls   []Call   `json:"calls"`
	Hosting []string `json:"hosting"`
}

// Result is the host's answer to a Call
// (POST /api/v1/mcp/host/calls/{id}/result), and the caller's answer: the
// MCP CallToolResult as the server sent it, or Error when it could not be
// called at all.
type Result struct {
	Result json.RawMessage `json:"result,omitempty"`
	Error  string          `json:"error,omitempty"`
}
