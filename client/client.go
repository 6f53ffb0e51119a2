package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// requestTimeout bounds one API call: a hub that takes longer is treated
// as away (the change queues in the outbox and is resent with the same
// idempotency key, so a slow hub that did take it applies it once). A
// long-poll gets its wait on top (see ListMessages).
const requestTimeout = 10 * time.Second

// PeerHeader and PeerKindHeader name the peer a call acts as, and its kind
// for a peer's first call (the hub's handlers read the same headers).
const (
	PeerHeader     = "X-CT-Peer"
	PeerKindHeader = "X-CT-Peer-Kind"
)

// Config says which hub a Client calls and as whom.
type Config struct {
	Hub   string // the hub's base URL; trailing slashes are dropped
	Token string // an API token (Bearer), unless User is set
	// User and Password authenticate with HTTP Basic instead of Token:
	// how ct login and ct token create get a first token.
	User, Password string
	Peer           string // X-CT-Peer: act as this peer (default: the token's name)
	Kind           string // X-CT-Peer-Kind, for a peer's first call (ct mcp: ai)
	// Outbox, when set, holds message and todo changes the hub cannot take
	// now; nil means such changes fail like any other call.
	Outbox *Outbox
	// Notes receives one line per queued change delivered or refused by
	// Flush; nil discards them.
	Notes io.Writer
	// Timeout bounds one call (0: requestTimeout); a long-poll gets its
	// wait on top.
	Timeout time.Duration
	// HTTP is the client requests go through; nil means a plain one (each
	// call has its own deadline: requestTimeout, plus the wait of a
	// long-poll).
	HTTP *http.Client
}

// Client calls the hub's API. It is safe for concurrent use (ct mcp's tools
// run at once); the outbox serialises itself with a file lock.
type Client struct {
	hub, token, user, password, peer, kind string
	outbox                                 *Outbox
	notes                                  io.Writer
	http                                   *http.Client
	timeout                                time.Duration
}

// New makes a Client from cfg.
func New(cfg Config) *Client {
	c := &Client{hub: HubKey(cfg.Hub), token: cfg.Token, user: cfg.User, password: cfg.Password,
		peer: cfg.Peer, kind: cfg.Kind, outbox: cfg.Outbox, notes: cfg.Notes, http: cfg.HTTP, timeout: cfg.Timeout}
	if c.timeout <= 0 {
		c.timeout = requestTimeout
	}
	if c.notes == nil {
		c.notes = io.Discard
	}
	if c.http == nil {
		c.http = &http.Client{}
	}
	return c
}

// Hub is the base URL the client calls.
func (c *Client) Hub() string { return c.hub }

// APIError is the hub's answer to a request it refused: Msg is its words.
type APIError struct {
	Status int
	Msg    string
}

func (e *APIError) Error() string { return e.Msg }

// ErrHubAway marks a hub that could not be reached, or a proxy in front of
// it that says so (502, 503, 504): a change may queue and be sent later.
var ErrHubAway = errors.New("the hub is unreachable")

// newRequest builds a request to the hub with the client's credentials
// and peer headers; body, if not nil, is sent as JSON.
func (c *Client) newRequest(ctx context.Context, method, path string, body any) (*http.Request, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.hub+path, rd)
	if err != nil {
		return nil, err
	}
	if c.user != "" {
		req.SetBasicAuth(c.user, c.password)
	} else if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	req.Header.Set("Content-Type", "application/json")
	if c.peer != "" {
		req.Header.Set(PeerHeader, c.peer)
	}
	if c.kind != "" {
		req.Header.Set(PeerKindHeader, c.kind)
	}
	return req, nil
}

// do sends one request; out (if not nil) receives the JSON answer, or
// the body as it is when out is a *[]byte. A hub
// that cannot be reached or does not answer within requestTimeout is
// ErrHubAway; a refusal is an *APIError.
func (c *Client) do(ctx context.Context, method, path string, body any, out any) error {
	return c.send(ctx, c.timeout, method, path, "", body, out)
}

// call is do for a change: key, when set, is its Idempotency-Key.
func (c *Client) call(ctx context.Context, method, path, key string, body any, out any) error {
	return c.send(ctx, c.timeout, method, path, key, body, out)
}

// send is every request's one path, bounded by timeout.
func (c *Client) send(ctx context.Context, timeout time.Duration, method, path, key string, body any, out any) error {
	parent := ctx
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := c.newRequest(ctx, method, path, body)
	if err != nil {
		return err
	}
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		if parent.Err() != nil {
			return parent.Err()
		}
		return fmt.Errorf("%w (%s): %v", ErrHubAway, c.hub, err)
	}
	defer resp.Body.Close()
	// 16 MiB: far above any list the API returns, but bounded.
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if resp.StatusCode >= 300 {
		if resp.StatusCode == http.StatusBadGateway || resp.StatusCode == http.StatusServiceUnavailable || resp.StatusCode == http.StatusGatewayTimeout {
			return fmt.Errorf("%w (%s answered %d)", ErrHubAway, c.hub, resp.StatusCode)
		}
		return &APIError{Status: resp.StatusCode, Msg: errorText(data)}
	}
	if raw, ok := out.(*[]byte); ok { // a text answer (a session's screen)
		*raw = data
		return nil
	}
	if out != nil && len(data) > 0 {
		return json.Unmarshal(data, out)
	}
	return nil
}

// errorText is the hub's {"error": "..."} message, or the body itself
// when it is not that (a proxy's page, say).
func errorText(data []byte) string {
	var e struct {
		Error string `json:"error"`
	}
	if json.Unmarshal(data, &e) != nil || e.Error == "" {
		return strings.TrimSpace(string(data))
	}
	return e.Error
}
