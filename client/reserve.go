package client

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/ct-dev/ct/coord"
)

// Reserve is POST /api/v1/reservations: a lease on globs of repo's paths
// for ttl (0: the hub's default). Like a lock it needs the hub's
// agreement, so it is never queued: a hub that is away is ErrHubAway.
func (c *Client) Reserve(ctx context.Context, repo string, globs []string, ttl time.Duration, reason string) (coord.Reservation, error) {
	var r coord.Reservation
	req := coord.ReserveRequest{Repo: repo, Globs: globs, Reason: reason}
	if ttl > 0 {
		req.TTL = ttl.String()
	}
	err := c.do(ctx, http.MethodPost, "/api/v1/reservations", req, &r)
	return r, err
}

// ReleaseReservation is DELETE /api/v1/reservations/{id}; force (admins)
// ends another peer's reservation.
func (c *Client) ReleaseReservation(ctx context.Context, id string, force bool) error {
	path := "/api/v1/reservations/" + url.PathEscape(id)
	if force {
		path += "?force=1"
	}
	return c.do(ctx, http.MethodDelete, path, nil, nil)
}

// ListReservations is GET /api/v1/reservations: live reservations of
// repo ("" for every repository).
func (c *Client) ListReservations(ctx context.Context, repo string) ([]coord.Reservation, error) {
	var list []coord.Reservation
	err := c.do(ctx, http.MethodGet, "/api/v1/reservations?"+url.Values{"repo": {repo}}.Encode(), nil, &list)
	return list, err
}

// CheckPaths is POST /api/v1/reservations/check: which of paths someone
// else has reserved in repo.
func (c *Client) CheckPaths(ctx context.Context, repo string, paths []string) ([]coord.PathConflict, error) {
	var out struct {
		Conflicts []coord.PathConflict `json:"conflicts"`
	}
	err := c.do(ctx, http.MethodPost, "/api/v1/reservations/check", coord.CheckRequest{Repo: repo, Paths: paths}, &out)
	return out.Conflicts, err
}

// SetState is PUT /api/v1/state/{key}. Never queued: a watcher must not
// see a value set minutes after it was meant.
func (c *Client) SetState(ctx context.Context, key, value string) (coord.StateValue, error) {
	var v coord.StateValue
	err := c.do(ctx, http.MethodPut, statePath(key), coord.StateSetRequest{Value: value}, &v)
	return v, err
}

// GetState is GET /api/v1/state/{key}, with its history when history is set.
func (c *Client) GetState(ctx context.Context, key string, history bool) (coord.StateKey, error) {
	var k coord.StateKey
	path := "/api/v1/state/" + key
	if history {
		path += "?history=1"
	}
	err := c.do(ctx, http.MethodGet, path, nil, &k)
	return k, err
}

// WatchState waits up to wait (the hub caps it at 60 s) for key to reach
// a version newer than after; changed is false when none came in time.
func (c *Client) WatchState(ctx context.Context, key string, after uint64, wait time.Duration) (k coord.StateKey, changed bool, err error) {
	q := url.Values{"after": {strconv.FormatUint(after, 10)}, "wait": {wait.String()}}
	// The hub holds the call up to wait: the deadline is on top of it.
	err = c.send(ctx, c.timeout+wait, http.MethodGet, statePath(key)+"?"+q.Encode(), "", nil, &k)
	return k, err == nil && k.Version > after, err
}

// statePath is the key's URL path, escaped but keeping its slashes.
func statePath(key string) string { return "/api/v1/state/" + (&url.URL{Path: key}).EscapedPath() }
