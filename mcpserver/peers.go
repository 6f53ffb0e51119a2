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

// listPeersIn is list_peers' input.
type listPeersIn struct {
	Sort string `json:"sort,omitempty" jsonschema:"name (default) or headroom: agents with the most free context first, to route work to"`
}

// addPeerTools adds list_peers and set_status.
func addPeerTools(srv *mcp.Server, c *client.Client) {
	mcp.AddTool(srv, tool("list_peers", "List the people, agents and connectors on the hub, with status, online state and, for agents, stats: model, context used, free context and tokens in/out, from their session's transcript."),
		func(ctx context.Context, _ *mcp.CallToolRequest, in listPeersIn) (*mcp.CallToolResult, any, error) {
			peers, err := c.ListPeersBy(ctx, in.Sort)
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
