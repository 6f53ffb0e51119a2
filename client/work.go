package client

import (
	"context"
	"net/http"
	"net/url"
	"time"

	"github.com/ct-dev/ct/coord"
)

// AcquireLock is POST /api/v1/locks: take, or renew, the lock name for ttl
// (0 means the hub's default). Locks need the hub's agreement, so they are
// never queued: a hub that is away is ErrHubAway.
func (c *Client) AcquireLock(ctx context.Context, name string, ttl time.Duration, reason string) (coord.Lock, error) {
	var l coord.Lock
	err := c.do(ctx, http.MethodPost, "/api/v1/locks", coord.LockRequest{Name: name, TTL: ttl.String(), Reason: reason}, &l)
	return l, err
}

// ReleaseLock is DELETE /api/v1/locks/{name}; force (admins) breaks
// another peer's lock.
func (c *Client) ReleaseLock(ctx context.Context, name string, force bool) error {
	path := "/api/v1/locks/" + url.PathEscape(name)
	if force {
		path += "?force=1"
	}
	return c.do(ctx, http.MethodDelete, path, nil, nil)
}

// ListLocks is GET /api/v1/locks: the held locks.
func (c *Client) ListLocks(ctx context.Context) ([]coord.Lock, error) {
	var list []coord.Lock
	err := c.do(ctx, http.MethodGet, "/api/v1/locks", nil, &list)
	return list, err
}

// AddTodo is POST /api/v1/todos (title, notes, assignee of t). When the
// hub is away it is queued (queued=true, out empty).
func (c *Client) AddTodo(ctx context.Context, t coord.Todo) (out coord.Todo, queued bool, err error) {
	queued, err = c.change(ctx, http.MethodPost, "/api/v1/todos", t, &out)
	return out, queued, err
}

// UpdateTodo is PATCH /api/v1/todos/{id}; nil fields of u stay as they
// are. When the hub is away it is queued.
func (c *Client) UpdateTodo(ctx context.Context, id string, u coord.TodoUpdate) (out coord.Todo, queued bool, err error) {
	queued, err = c.change(ctx, http.MethodPatch, "/api/v1/todos/"+url.PathEscape(id), u, &out)
	return out, queued, err
}

// ListTodos is GET /api/v1/todos, only those in state unless it is
// empty, of scope (coord.TodoScopeShared or TodoScopePrivate; "" both).
func (c *Client) ListTodos(ctx context.Context, scope, state string) ([]coord.Todo, error) {
	var list []coord.Todo
	q := url.Values{"state": {state}}
	if scope != "" {
		q.Set("scope", scope)
	}
	err := c.do(ctx, http.MethodGet, "/api/v1/todos?"+q.Encode(), nil, &list)
	return list, err
}

// AddReminder is POST /api/v1/reminders: r.Cron repeats, r.At fires once.
func (c *Client) AddReminder(ctx context.Context, r coord.Reminder) (coord.Reminder, error) {
	var out coord.Reminder
	err := c.do(ctx, http.MethodPost, "/api/v1/reminders", r, &out)
	return out, err
}

// ListReminders is GET /api/v1/reminders, with each one's next time.
func (c *Client) ListReminders(ctx context.Context) ([]coord.Reminder, error) {
	var list []coord.Reminder
	err := c.do(ctx, http.MethodGet, "/api/v1/reminders", nil, &list)
	return list, err
}

// ListPeers is GET /api/v1/peers: people, agents and connectors with
// their status and presence.
func (c *Client) ListPeers(ctx context.Context) ([]coord.Peer, error) {
	return c.ListPeersBy(ctx, "")
}

// ListPeersBy is GET /api/v1/peers?sort=by: coord.SortName, or
// coord.SortHeadroom (agents with the most free context first).
func (c *Client) ListPeersBy(ctx context.Context, by string) ([]coord.Peer, error) {
	var list []coord.Peer
	path := "/api/v1/peers"
	if by != "" {
		path += "?sort=" + url.QueryEscape(by)
	}
	err := c.do(ctx, http.MethodGet, path, nil, &list)
	return list, err
}

// UpdatePeer is PATCH /api/v1/peers/me: what this peer says about itself
// (nil fields stay as they are).
func (c *Client) UpdatePeer(ctx context.Context, u coord.PeerUpdate) (coord.Peer, error) {
	var p coord.Peer
	err := c.do(ctx, http.MethodPatch, "/api/v1/peers/me", u, &p)
	return p, err
}
