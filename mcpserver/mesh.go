package mcpserver

import (
	"context"
	"fmt"
	"time"

	"github.com/ct-dev/ct/client"
	"github.com/ct-dev/ct/coord"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// maxWaitSeconds is the longest wait_for_events holds: the hub's own cap.
const maxWaitSeconds = 60

type (
	waitIn struct {
		Since     *uint64  `json:"since,omitempty" jsonschema:"the next of your last answer; leave out to start from now"`
		TimeoutS  int      `json:"timeout_s,omitempty" jsonschema:"seconds to wait for the first event, 0 to 60; default 30"`
		EventType []string `json:"types,omitempty" jsonschema:"only these: message, notice, lock, todo, peer, skill, tick (tick: after clock subscribe=true)"`
	}
	shareSkillIn struct {
		Name         string            `json:"name" jsonschema:"lowercase letters, digits, . _ -; sharing a name again makes a new version"`
		Description  string            `json:"description" jsonschema:"one line on when to use it"`
		Instructions string            `json:"instructions" jsonschema:"how to do it, up to 64 KB"`
		Files        []coord.SkillFile `json:"files,omitempty" jsonschema:"up to 16 files of up to 64 KB, relative paths"`
	}
	getSkillIn struct {
		Name    string `json:"name"`
		Version int    `json:"version,omitempty" jsonschema:"leave out for the newest"`
	}
)

// addEventTools adds wait_for_events: hub events without polling.
func addEventTools(srv *mcp.Server, c *client.Client) {
	mcp.AddTool(srv, tool("wait_for_events", "Wait (up to timeout_s, at most 60) for hub events you may see: peers joining and leaving, locks taken and freed, todo changes, messages to you, skills shared. Pass the answer's next as since to resume; missed=true means re-read your inbox, locks and todos."),
		func(ctx context.Context, _ *mcp.CallToolRequest, in waitIn) (*mcp.CallToolResult, any, error) {
			if in.TimeoutS < 0 || in.TimeoutS > maxWaitSeconds {
				return nil, nil, fmt.Errorf("timeout_s is 0 to %d seconds", maxWaitSeconds)
			}
			timeout := 30 * time.Second
			if in.TimeoutS > 0 {
				timeout = time.Duration(in.TimeoutS) * time.Second
			}
			var since uint64
			if in.Since != nil {
				since = *in.Since
			}
			page, err := c.WaitEvents(ctx, since, in.Since == nil, timeout, in.EventType)
			if err != nil {
				return nil, nil, err
			}
			return asJSON(page), nil, nil
		})
}

// addSkillTools adds share_skill, list_skills and get_skill.
func addSkillTools(srv *mcp.Server, c *client.Client) {
	mcp.AddTool(srv, tool("share_skill", "Share a skill (name, description, instructions, files) with every peer; sharing an existing name adds a version."),
		func(ctx context.Context, _ *mcp.CallToolRequest, in shareSkillIn) (*mcp.CallToolResult, any, error) {
			k, err := c.ShareSkill(ctx, coord.Skill{Name: in.Name, Description: in.Description, Instructions: in.Instructions, Files: in.Files})
			if err != nil {
				return nil, nil, err
			}
			return text("shared skill %s version %d", k.Name, k.Version), nil, nil
		})
	mcp.AddTool(srv, tool("list_skills", "List the shared skills: name, description, newest version, who shared it."),
		func(ctx context.Context, _ *mcp.CallToolRequest, _ noIn) (*mcp.CallToolResult, any, error) {
			list, err := c.ListSkills(ctx)
			if err != nil {
				return nil, nil, err
			}
			return asJSON(list), nil, nil
		})
	mcp.AddTool(srv, tool("get_skill", "Get a skill's instructions and files (the newest version, or the one named)."),
		func(ctx context.Context, _ *mcp.CallToolRequest, in getSkillIn) (*mcp.CallToolResult, any, error) {
			k, err := c.GetSkill(ctx, in.Name, in.Version)
			if err != nil {
				return nil, nil, err
			}
			return asJSON(k), nil, nil
		})
}
