package mcpserver

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ct-dev/ct/client"
	"github.com/ct-dev/ct/coord"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// defaultLockTTL is the lease an agent gets when it names none (the
// hub's own default, said in the tool's schema).
const defaultLockTTL = 600 * time.Second

type (
	lockIn struct {
		Name       string `json:"name"`
		TTLSeconds int    `json:"ttl_seconds,omitempty" jsonschema:"lease length; default 600; take it again to renew"`
		Reason     string `json:"reason,omitempty"`
	}
	nameIn struct {
		Name string `json:"name"`
	}
	todoIn struct {
		Title    string `json:"title"`
		Notes    string `json:"notes,omitempty"`
		Assignee string `json:"assignee,omitempty"`
		Private  bool   `json:"private,omitempty" jsonschema:"keep it in your owner's private space: only they and their own agents see it"`
	}
	todoUpdateIn struct {
		ID       string  `json:"id"`
		State    *string `json:"state,omitempty" jsonschema:"open, doing or done"`
		Title    *string `json:"title,omitempty"`
		Notes    *string `json:"notes,omitempty"`
		Assignee *string `json:"assignee,omitempty"`
	}
	listTodosIn struct {
		State string `json:"state,omitempty" jsonschema:"open, doing or done; empty for all"`
		Scope string `json:"scope,omitempty" jsonschema:"shared (everyone's) or private (your owner's private space); empty for both"`
	}
	remindIn struct {
		To      string `json:"to" jsonschema:"a peer, @group, * or me (your owner's private space)"`
		Body    string `json:"body"`
		Subject string `json:"subject,omitempty"`
		Cron    string `json:"cron,omitempty" jsonschema:"five-field cron or @hourly/@daily/@every 30m"`
		At      string `json:"at,omitempty" jsonschema:"RFC 3339 time, for a one-off"`
	}
)

// addLockTools adds lock, unlock and list_locks.
func addLockTools(srv *mcp.Server, c *client.Client) {
	mcp.AddTool(srv, tool("lock", "Take (or renew) an advisory lock with a lease. Fails naming the holder if someone else has it. Never granted while the hub is away."),
		func(ctx context.Context, _ *mcp.CallToolRequest, in lockIn) (*mcp.CallToolResult, any, error) {
			ttl := defaultLockTTL
			if in.TTLSeconds > 0 {
				ttl = time.Duration(in.TTLSeconds) * time.Second
			}
			l, err := c.AcquireLock(ctx, in.Name, ttl, in.Reason)
			if errors.Is(err, client.ErrHubAway) {
				return nil, nil, fmt.Errorf("%w: locks are never granted while the hub is away", err)
			}
			if err != nil {
				return nil, nil, err
			}
			return text("locked %s until %s", l.Name, l.Until.Format(time.RFC3339)), nil, nil
		})
	mcp.AddTool(srv, tool("unlock", "Release a lock you hold."),
		func(ctx context.Context, _ *mcp.CallToolRequest, in nameIn) (*mcp.CallToolResult, any, error) {
			if err := c.ReleaseLock(ctx, in.Name, false); err != nil {
				return nil, nil, err
			}
			return text("unlocked %s", in.Name), nil, nil
		})
	mcp.AddTool(srv, tool("list_locks", "List held locks: name, holder, until when, reason."),
		func(ctx context.Context, _ *mcp.CallToolRequest, _ noIn) (*mcp.CallToolResult, any, error) {
			locks, err := c.ListLocks(ctx)
			if err != nil {
				return nil, nil, err
			}
			return asJSON(locks), nil, nil
		})
}

// addTodoTools adds add_todo, update_todo and list_todos.
func addTodoTools(srv *mcp.Server, c *client.Client) {
	mcp.AddTool(srv, tool("add_todo", "Add a shared todo, or with private a todo only your owner and their agents see. Queued if the hub is away."),
		func(ctx context.Context, _ *mcp.CallToolRequest, in todoIn) (*mcp.CallToolResult, any, error) {
			t := coord.Todo{Title: in.Title, Notes: in.Notes, Assignee: in.Assignee}
			if in.Private {
				t.Private = coord.PrivateMe
			}
			t, queued, err := c.AddTodo(ctx, t)
			if err != nil {
				return nil, nil, err
			}
			if queued {
				return text("queued: the hub is unreachable; the todo will be added when it is back"), nil, nil
			}
			return text("added todo %s", t.ID), nil, nil
		})
	mcp.AddTool(srv, tool("update_todo", "Change a todo: state (open, doing, done), title, notes or assignee. Queued if the hub is away."),
		func(ctx context.Context, _ *mcp.CallToolRequest, in todoUpdateIn) (*mcp.CallToolResult, any, error) {
			u := coord.TodoUpdate{Title: in.Title, Notes: in.Notes, Assignee: in.Assignee, State: in.State}
			t, queued, err := c.UpdateTodo(ctx, in.ID, u)
			if err != nil {
				return nil, nil, err
			}
			if queued {
				return text("queued: the hub is unreachable; the change will be made when it is back"), nil, nil
			}
			return text("todo %s is %s", t.ID, t.State), nil, nil
		})
	mcp.AddTool(srv, tool("list_todos", "List the shared todos and your owner's private ones (scope narrows it)."),
		func(ctx context.Context, _ *mcp.CallToolRequest, in listTodosIn) (*mcp.CallToolResult, any, error) {
			list, err := c.ListTodos(ctx, in.Scope, in.State)
			if err != nil {
				return nil, nil, err
			}
			return asJSON(list), nil, nil
		})
}

// addReminderTools adds schedule_reminder and list_reminders.
func addReminderTools(srv *mcp.Server, c *client.Client) {
	mcp.AddTool(srv, tool("schedule_reminder", "Schedule a reminder message: cron for repeating, at for once."),
		func(ctx context.Context, _ *mcp.CallToolRequest, in remindIn) (*mcp.CallToolResult, any, error) {
			r := coord.Reminder{To: in.To, Body: in.Body, Subject: in.Subject, Cron: in.Cron}
			if in.At != "" {
				t, err := time.Parse(time.RFC3339, in.At)
				if err != nil {
					return nil, nil, fmt.Errorf("at %q is not an RFC 3339 time such as 2026-05-01T09:00:00Z", in.At)
				}
				r.At = &t
			}
			out, err := c.AddReminder(ctx, r)
			if err != nil {
				return nil, nil, err
			}
			return text("reminder %s scheduled; next %s", out.ID, out.Next.Format(time.RFC3339)), nil, nil
		})
	mcp.AddTool(srv, tool("list_reminders", "List reminders with their next time."),
		func(ctx context.Context, _ *mcp.CallToolRequest, _ noIn) (*mcp.CallToolResult, any, error) {
			list, err := c.ListReminders(ctx)
			if err != nil {
				return nil, nil, err
			}
			return asJSON(list), nil, nil
		})
}
