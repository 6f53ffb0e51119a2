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

// BackupResult is what a backup download brought besides the store.
type BackupResult struct {
	Bytes int64
	// AuditHead is the audit head the copy holds, signed by the hub
	// (SEQ:HASH:MAC; no MAC from a hub without an audit key; "" from a
	// hub that does not send it or has an empty log).
	AuditHead string
}

// AuditHeadHeader is the response header that carries the backup's audit
// head (handlers.AuditHeadHeader).
const AuditHeadHeader = "X-CT-Audit-Head"

// Backup is GET /api/v1/admin/backup (an admin's API token): the hub's
// whole store, copied into w. It fails when the copy is cut short; a
// refusal wraps an *APIError.
func (c *Client) Backup(ctx context.Context, w io.Writer) (BackupResult, error) {
	var res BackupResult
	req, err := c.newRequest(ctx, http.MethodGet, "/api/v1/admin/backup", nil)
	if err != nil {
		return res, fmt.Errorf("--hub: %w", err)
	}
	req.Header.Del("Content-Type")
	// No timeout: a large store takes as long as it takes; ctx ends it.
	hc := *c.http
	hc.Timeout = 0
	resp, err := hc.Do(req)
	if err != nil {
		return res, fmt.Errorf("reach the hub: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		return res, fmt.Errorf("the hub refused the backup (%s): %w", resp.Status, &APIError{Status: resp.StatusCode, Msg: errorText(b)})
	}
	if h := resp.Header.Get(AuditHeadHeader); len(h) <= 256 {
		res.AuditHead = h // bounded: it is written beside the backup
	}
	res.Bytes, err = io.Copy(w, resp.Body)
	if err != nil {
		return res, fmt.Errorf("backup cut short after %d bytes: %w", res.Bytes, err)
	}
	if resp.ContentLength >= 0 && res.Bytes != resp.ContentLength {
		return res, fmt.Errorf("backup cut short: got %d of %d bytes", res.Bytes, resp.ContentLength)
	}
	return res, nil
}
