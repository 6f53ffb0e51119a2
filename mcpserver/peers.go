package mcpserver

import (
	"context"

	"github.com/ct-dev/ct/client"
	"github.com/ct-dev/ct/coord"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// statusIn is set_status's input; the jsonschema tags are what the agent reads.
type statusIn struct {
	Status string   `json:"status" jsonschema:"one line about what you are doing"`
	Groups []string `json:"groups,omitempty" jsonschema:"groups to be in, without @"`
}

// addPeerTools adds list_peers and set_status.
func addPeerTools(srv *mcp.Server, c *client.Client) {
	mcp.AddTool(srv, tool("list_peers", "List the people, agents and connectors on the hub, with status and online state."),
		func(ctx context.Context, _ *mcp.CallToolRequest, _ noIn) (*mcp.CallToolResult, any, error) {
			peers, err := c.ListPeers(ctx)
			if err != nil {
				return nil, nil, err
			}
			return asJSON(peers), nil, nil
		})
	mcp.AddTool(srv, tool("set_status", "Set your one-line status (and groups) that other peers see."),
		func(ctx context.Context, _ *mcp.CallToolRequest, in statusIn) (*mcp.CallToolResult, any, error) {
			u := coord.PeerUpdate{Status: &in.Status}
			if in.Groups != nil {
				u.Groups = &in.Groups
			}
			if _, err := c.UpdatePeer(ctx, u); err != nil {
				return nil, nil, err
			}
			return text("status set"), nil, nil
		})
}
