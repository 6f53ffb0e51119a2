package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"
)

// tokenTimeout bounds POST /api/v1/tokens: one small write on the hub.
const tokenTimeout = 30 * time.Second

// TokenRequest is POST /api/v1/tokens (the hub decodes the same fields).
type TokenRequest struct {
	Name    string `json:"name"`
	Kind    string `json:"kind"`              // machine (the hub's default) or api
	Machine string `json:"machine,omitempty"` // machine tokens; default: Name
	Role    string `json:"role,omitempty"`    // api tokens; default: the maker's role
}

// CreateToken is POST /api/v1/tokens: the hub makes a token and returns it
// (shown this once). The client authenticates with User and Password
// (HTTP Basic) or an existing API token.
func (c *Client) CreateToken(ctx context.Context, tr TokenRequest) (string, error) {
	if c.user == "" && c.token == "" {
		return "", errors.New("no credentials: set CT_USER and CT_PASSWORD (or CT_TOKEN with an API token)")
	}
	req, err := c.newRequest(ctx, http.MethodPost, "/api/v1/tokens", tr)
	if err != nil {
		return "", fmt.Errorf("hub URL %q: %w", c.hub, err)
	}
	hc := *c.http
	hc.Timeout = tokenTimeout
	resp, err := hc.Do(req)
	if err != nil {
		return "", fmt.Errorf("reach the hub at %s: %w", c.hub, err)
	}
	defer resp.Body.Close()
	var out struct {
		Token string `json:"token"`
	}
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	_ = json.Unmarshal(data, &out)
	if resp.StatusCode != http.StatusCreated || out.Token == "" {
		return "", fmt.Errorf("the hub refused (%s): %w", resp.Status, &APIError{Status: resp.StatusCode, Msg: errorText(data)})
	}
	return out.Token, nil
}

// Backup is GET /api/v1/admin/backup (an admin's API token): the hub's
// whole store, copied into w. It fails when the copy is cut short; a
// refusal wraps an *APIError.
func (c *Client) Backup(ctx context.Context, w io.Writer) (int64, error) {
	req, err := c.newRequest(ctx, http.MethodGet, "/api/v1/admin/backup", nil)
	if err != nil {
		return 0, fmt.Errorf("--hub: %w", err)
	}
	req.Header.Del("Content-Type")
	// No timeout: a large store takes as long as it takes; ctx ends it.
	hc := *c.http
	hc.Timeout = 0
	resp, err := hc.Do(req)
	if err != nil {
		return 0, fmt.Errorf("reach the hub: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		return 0, fmt.Errorf("the hub refused the backup (%s): %w", resp.Status, &APIError{Status: resp.StatusCode, Msg: errorText(b)})
	}
	n, err := io.Copy(w, resp.Body)
	if err != nil {
		return n, fmt.Errorf("backup cut short after %d bytes: %w", n, err)
	}
	if resp.ContentLength >= 0 && n != resp.ContentLength {
		return n, fmt.Errorf("backup cut short: got %d of %d bytes", n, resp.ContentLength)
	}
	return n, nil
}
