// Package mcpserver owns the MCP tools ct mcp gives an agent: their names,
// descriptions, input schemas and the text they answer with. Each tool is
// one call (or two) of a client.Client; the package knows the hub only
// through it. It also runs, as ProxyHost, the MCP servers an agent
// registers for other peers (subprocesses over stdio) and answers the
// calls the hub routes to them. It must not import handlers, hub, db or ptywrap, and does
// not read the environment: ct mcp passes what it needs in Options.
package mcpserver

import (
	"encoding/json"
	"fmt"

	"github.com/ct-dev/ct/client"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// Options is what the tools need.
type Options struct {
	Client  *client.Client
	Version string // ct's version, told to the MCP client
	// Session is the ct session the agent runs in (CT_SESSION), recorded
	// as the context of messages that name a file or an error.
	Session string
	// Proxy, when set, hosts the MCP servers the agent registers with
	// mcp_register; nil leaves out mcp_register and mcp_unregister.
	Proxy *ProxyHost
}

// New builds the MCP server with every coordination tool; run it with
// (*mcp.Server).Run on a transport.
func New(o Options) *mcp.Server {
	srv := mcp.NewServer(&mcp.Implementation{Name: "ct", Version: o.Version}, nil)
	addPeerTools(srv, o.Client)
	addMessageTools(srv, o.Client, o.Session)
	addLockTools(srv, o.Client)
	addTodoTools(srv, o.Client)
	addReminderTools(srv, o.Client)
	addReservationTools(srv, o.Client)
	addStateTools(srv, o.Client)
	addEventTools(srv, o.Client)
	addSkillTools(srv, o.Client)
	addSessionTools(srv, o.Client)
	addProxyTools(srv, o.Client, o.Proxy)
	addFileTools(srv, o.Client)
	addClockTools(srv, o.Client)
	return srv
}

// noIn is the input of a tool that takes none.
type noIn struct{}

func tool(name, desc string) *mcp.Tool { return &mcp.Tool{Name: name, Description: desc} }

// text is a tool result of plain text.
func text(format string, a ...any) *mcp.CallToolResult {
	return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: fmt.Sprintf(format, a...)}}}
}

// asJSON is a tool result of v as indented JSON.
func asJSON(v any) *mcp.CallToolResult {
	b, _ := json.MarshalIndent(v, "", "  ")
	return text("%s", b)
}
