package mcpserver

import (
	"context"
	"time"

	"github.com/ct-dev/ct/client"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// maxStateWatch is the longest one state_watch call waits: the hub caps a
// long-poll at 60 s, and an agent's tool call should come back within a
// minute so it can decide to wait again.
const maxStateWatch = 60 * time.Second

type (
	stateSetIn struct {
		Key   string `json:"key" jsonschema:"letters, digits, '.', '_', ':', '/' or '-'"`
		Value string `json:"value" jsonschema:"at most 4 KiB of text"`
	}
	stateGetIn struct {
		Key     string `json:"key"`
		History bool   `json:"history,omitempty" jsonschema:"also return up to 49 earlier values, newest first"`
	}
	stateWatchIn struct {
		Key         string `json:"key"`
		After       uint64 `json:"after,omitempty" jsonschema:"the version you last saw; 0 waits for the first value"`
		WaitSeconds int    `json:"wait_seconds,omitempty" jsonschema:"how long to wait, at most 60; default 30"`
	}
)

// addStateTools adds state_set, state_get and state_watch.
func addStateTools(srv *mcp.Server, c *client.Client) {
	mcp.AddTool(srv, tool("state_set", "Set a shared state key (a small named value the team sees, with history). Watchers are told at once."),
		func(ctx context.Context, _ *mcp.CallToolRequest, in stateSetIn) (*mcp.CallToolResult, any, error) {
			v, err := c.SetState(ctx, in.Key, in.Value)
			if err != nil {
				return nil, nil, err
			}
			return text("%s is version %d", v.Key, v.Version), nil, nil
		})
	mcp.AddTool(srv, tool("state_get", "Read a shared state key: value, who set it, when, version; history on request."),
		func(ctx context.Context, _ *mcp.CallToolRequest, in stateGetIn) (*mcp.CallToolResult, any, error) {
			k, err := c.GetState(ctx, in.Key, in.History)
			if err != nil {
				return nil, nil, err
			}
			return asJSON(k), nil, nil
		})
	mcp.AddTool(srv, tool("state_watch", "Wait until a shared state key has a version newer than after, and return it; says so if nothing changed in time."),
		func(ctx context.Context, _ *mcp.CallToolRequest, in stateWatchIn) (*mcp.CallToolResult, any, error) {
			wait := 30 * time.Second
			if in.WaitSeconds > 0 {
				wait = min(time.Duration(in.WaitSeconds)*time.Second, maxStateWatch)
			}
			k, changed, err := c.WatchState(ctx, in.Key, in.After, wait)
			if err != nil {
				return nil, nil, err
			}
			if !changed {
				return text("no change to %s after version %d within %s; call again to keep waiting", in.Key, in.After, wait), nil, nil
			}
			return asJSON(k), nil, nil
		})
}
