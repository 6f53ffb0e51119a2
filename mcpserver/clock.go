package mcpserver

import (
	"context"
	"fmt"
	"time"

	"github.com/ct-dev/ct/client"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

type (
	clockSetIn struct {
		Speed int    `json:"speed" jsonschema:"1, 10 or 100: how many times faster than x1 the ticks come"`
		Reset bool   `json:"reset,omitempty" jsonschema:"start a new run: tick 0 and an empty report"`
		Start string `json:"start,omitempty" jsonschema:"the new run's sim_time, RFC 3339; default now"`
	}
	clockIn struct {
		Subscribe *bool `json:"subscribe,omitempty" jsonschema:"true: get tick events from wait_for_events; false: stop"`
	}
)

// addClockTools adds clock, clock_set, clock_pause, clock_resume and
// clock_report: the hub's simulation clock.
func addClockTools(srv *mcp.Server, c *client.Client) {
	mcp.AddTool(srv, tool("clock", "Show the simulation clock (tick, sim_time, speed, paused). subscribe=true makes wait_for_events (types [\"tick\"]) bring you its ticks {tick, sim_time, speed}; subscribe=false stops them."),
		func(ctx context.Context, _ *mcp.CallToolRequest, in clockIn) (*mcp.CallToolResult, any, error) {
			if in.Subscribe != nil {
				st, err := c.SubscribeClock(ctx, *in.Subscribe)
				return result(st, err)
			}
			st, err := c.Clock(ctx)
			return result(st, err)
		})
	mcp.AddTool(srv, tool("clock_set", "Run the simulation clock at speed 1, 10 or 100 (x10: ticks ten times as often, each one the same step of sim_time). The first call, or reset=true, starts a run at tick 0."),
		func(ctx context.Context, _ *mcp.CallToolRequest, in clockSetIn) (*mcp.CallToolResult, any, error) {
			var start time.Time
			if in.Start != "" {
				var err error
				if start, err = time.Parse(time.RFC3339, in.Start); err != nil {
					return nil, nil, fmt.Errorf("start %q is not an RFC 3339 time such as 2030-01-01T09:00:00Z", in.Start)
				}
			}
			st, err := c.SetClock(ctx, in.Speed, in.Reset, start)
			return result(st, err)
		})
	mcp.AddTool(srv, tool("clock_pause", "Pause the simulation clock: no ticks until clock_resume; the run and its report stay."),
		func(ctx context.Context, _ *mcp.CallToolRequest, _ noIn) (*mcp.CallToolResult, any, error) {
			st, err := c.PauseClock(ctx)
			return result(st, err)
		})
	mcp.AddTool(srv, tool("clock_resume", "Resume the paused simulation clock."),
		func(ctx context.Context, _ *mcp.CallToolRequest, _ noIn) (*mcp.CallToolResult, any, error) {
			st, err := c.ResumeClock(ctx)
			return result(st, err)
		})
	mcp.AddTool(srv, tool("clock_report", "The run's coordination actions per tick (messages, locks, todos), counted by peer, with totals."),
		func(ctx context.Context, _ *mcp.CallToolRequest, _ noIn) (*mcp.CallToolResult, any, error) {
			r, err := c.ClockReport(ctx)
			return result(r, err)
		})
}

// result is v as JSON, or err.
func result(v any, err error) (*mcp.CallToolResult, any, error) {
	if err != nil {
		return nil, nil, err
	}
	return asJSON(v), nil, nil
}
