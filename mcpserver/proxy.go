package mcpserver

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/ct-dev/ct/client"
	"github.com/ct-dev/ct/mcpproxy"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

type (
	mcpRegisterIn struct {
		Name       string   `json:"name" jsonschema:"the name other peers call it by: lowercase letters, digits, . _ -"`
		Command    string   `json:"command" jsonschema:"the MCP server's program, run on this workstation over stdio"`
		Args       []string `json:"args,omitempty" jsonschema:"its arguments"`
		AllowTools []string `json:"allow_tools,omitempty" jsonschema:"the only tools other peers may call; leave out to allow every tool it lists"`
	}
	mcpNameIn struct {
		Name string `json:"name" jsonschema:"a server you registered"`
	}
	mcpCallIn struct {
		Server string         `json:"server" jsonschema:"a server mcp_list shows"`
		Tool   string         `json:"tool" jsonschema:"one of its tools"`
		Args   map[string]any `json:"args,omitempty" jsonschema:"the tool's arguments, as its input schema says"`
	}
)

// addProxyTools adds mcp_register and mcp_unregister (when this ct mcp
// can host) and mcp_list and mcp_tool_call.
func addProxyTools(srv *mcp.Server, c *client.Client, host *ProxyHost) {
	if host != nil {
		mcp.AddTool(srv, tool("mcp_register", "Run an MCP server on this workstation (command and args, over stdio) and let other peers call its tools through the hub (only allow_tools, when given) while this session lasts."),
			func(ctx context.Context, _ *mcp.CallToolRequest, in mcpRegisterIn) (*mcp.CallToolResult, any, error) {
				s, err := host.register(ctx, in.Name, in.Command, in.Args, in.AllowTools)
				if err != nil {
					return nil, nil, err
				}
				return asJSON(s), nil, nil
			})
		mcp.AddTool(srv, tool("mcp_unregister", "Stop an MCP server you registered; other peers can no longer call it."),
			func(ctx context.Context, _ *mcp.CallToolRequest, in mcpNameIn) (*mcp.CallToolResult, any, error) {
				if err := host.unregister(ctx, in.Name); err != nil {
					return nil, nil, err
				}
				return text("unregistered %s", in.Name), nil, nil
			})
	}
	mcp.AddTool(srv, tool("mcp_list", "List the MCP servers peers host on the hub, who hosts each and the tools you may call (with their input schemas)."),
		func(ctx context.Context, _ *mcp.CallToolRequest, _ noIn) (*mcp.CallToolResult, any, error) {
			list, err := c.MCPServers(ctx)
			if err != nil {
				return nil, nil, err
			}
			return asJSON(list), nil, nil
		})
	mcp.AddTool(srv, tool("mcp_tool_call", "Call a tool of an MCP server another peer hosts (see mcp_list); the answer is the tool's own result."),
		func(ctx context.Context, _ *mcp.CallToolRequest, in mcpCallIn) (*mcp.CallToolResult, any, error) {
			var args json.RawMessage
			if in.Args != nil {
				args, _ = json.Marshal(in.Args)
			}
			res, err := c.MCPCall(ctx, mcpproxy.CallRequest{Server: in.Server, Tool: in.Tool, Args: args})
			if err != nil {
				return nil, nil, err
			}
			if res.Error != "" {
				return nil, nil, errors.New(res.Error)
			}
			var out mcp.CallToolResult
			if err := json.Unmarshal(res.Result, &out); err != nil {
				return nil, nil, errors.New("the host's result is not an MCP tool result: " + err.Error())
			}
			return &out, nil, nil
		})
}
