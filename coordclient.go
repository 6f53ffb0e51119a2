package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/ct-dev/ct/auth"
)

// coordClient calls the hub's coordination API for the CLI commands
// (ct msg, lock, todo, remind) and ct mcp. Messages and todo changes that
// cannot reach the hub go to the outbox and are sent by the next command.
type coordClient struct {
	hub, token, peer string
	kind             string // X-CT-Peer-Kind, for a peer's first call (ct mcp: ai)
	http             *http.Client
	outbox           *outbox
	stderr           io.Writer
}

// apiError is the hub's answer to a request it refused: Msg is its words.
type apiError struct {
	Status int
	Msg    string
}

func (e *apiError) Error() string { return e.Msg }

// errHubAway marks a hub that could not be reached (so a change may queue).
var errHubAway = errors.New("the hub is unreachable")

// coordFlags adds --hub, --token and --as to fs.
func coordFlags(fs *flag.FlagSet, getenv func(string) string) (hub, token, peer *string) {
	hub = fs.String("hub", envOr(getenv, "CT_HUB", ""), "hub URL (env CT_HUB; default: the hub ct login saved)")
	// CT_API_TOKEN first: under ct wrap, CT_TOKEN is often the wrap's machine token.
	token = fs.String("token", envOr(getenv, "CT_API_TOKEN", envOr(getenv, "CT_TOKEN", "")), "an API token, cta_... (env CT_API_TOKEN or CT_TOKEN)")
	peer = fs.String("as", envOr(getenv, "CT_PEER", ""), "act as this peer name (env CT_PEER; default: the token's name)")
	return
}

// newCoordClient resolves the hub and token (flags/env, else what ct login
// saved) and refuses a machine token up front with what to do instead.
func newCoordClient(getenv func(string) string, hub, token, peer string, stderr io.Writer) (*coordClient, error) {
	if hub == "" {
		hub = onlySavedHub(getenv)
	}
	if hub == "" {
		return nil, errors.New("no hub: set CT_HUB (or --hub) to the hub's URL")
	}
	hub = hubKey(hub)
	if token == "" {
		if s, ok := savedCredentials(getenv, hub); ok {
			token = s.Token
		}
	}
	if token == "" {
		return nil, fmt.Errorf("no token for %s: create an API token (ct token create --hub %s --name NAME) and set CT_TOKEN", hub, hub)
	}
	if kind, _, _, ok := auth.ParseToken(token); ok && kind == auth.KindMachine {
		return nil, fmt.Errorf("the token for %s is this machine's (ct login saves one for ct wrap), and a machine token cannot use the API: create an API token with ct token create --hub %s --name NAME and set CT_API_TOKEN (or CT_TOKEN)", hub, hub)
	}
	ob, err := openOutbox(getenv, hub, peer)
	if err != nil {
		return nil, err
	}
	return &coordClient{hub: hub, token: token, peer: peer, outbox: ob, stderr: stderr,
		http: &http.Client{Timeout: 90 * time.Second}}, nil // above the API's 60 s long-poll
}

// do sends one request; out (if not nil) receives the JSON answer.
func (c *coordClient) do(ctx context.Context, method, path string, body any, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.hub+path, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Content-Type", "application/json")
	if c.peer != "" {
		req.Header.Set("X-CT-Peer", c.peer)
	}
	if c.kind != "" {
		req.Header.Set("X-CT-Peer-Kind", c.kind)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("%w (%s): %v", errHubAway, c.hub, err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if resp.StatusCode >= 300 {
		var e struct {
			Error string `json:"error"`
		}
		if json.Unmarshal(data, &e) != nil || e.Error == "" {
			e.Error = strings.TrimSpace(string(data))
		}
		if resp.StatusCode == http.StatusBadGateway || resp.StatusCode == http.StatusServiceUnavailable || resp.StatusCode == http.StatusGatewayTimeout {
			return fmt.Errorf("%w (%s answered %d)", errHubAway, c.hub, resp.StatusCode)
		}
		return &apiError{Status: resp.StatusCode, Msg: e.Error}
	}
	if out != nil && len(data) > 0 {
		return json.Unmarshal(data, out)
	}
	return nil
}

// change sends a message or todo change, queueing it when the hub is away
// (after delivering anything queued before, so order holds). It reports
// queued=true when the change waits in the outbox.
func (c *coordClient) change(ctx context.Context, method, path string, body, out any) (queued bool, err error) {
	if err := c.flush(ctx); err != nil {
		if !errors.Is(err, errHubAway) {
			return false, err
		}
		return true, c.outbox.add(method, path, body) // behind older queued changes
	}
	err = c.do(ctx, method, path, body, out)
	if errors.Is(err, errHubAway) {
		return true, c.outbox.add(method, path, body)
	}
	return false, err
}

// flush delivers queued changes in order; it stops at the first one the
// hub cannot take delivery of. A change the hub refuses (4xx) is dropped
// with a note, so one bad entry does not block the rest forever.
func (c *coordClient) flush(ctx context.Context) error {
	return c.outbox.drain(func(e outboxEntry) error {
		err := c.do(ctx, e.Method, e.Path, e.Body, nil)
		var ae *apiError
		if errors.As(err, &ae) {
			fmt.Fprintf(c.stderr, "ct: a queued change (%s %s from %s) was refused by the hub: %s\n", e.Method, e.Path, e.QueuedAt.Format(time.RFC3339), ae.Msg)
			return nil
		}
		if err == nil {
			fmt.Fprintf(c.stderr, "ct: delivered a queued change (%s %s from %s)\n", e.Method, e.Path, e.QueuedAt.Format(time.RFC3339))
		}
		return err
	})
}

// onlySavedHub returns the hub ct login saved, when it saved exactly one.
func onlySavedHub(getenv func(string) string) string {
	path, err := credentialsPath(getenv)
	if err != nil {
		return ""
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	var c credentials
	if json.Unmarshal(b, &c) != nil || len(c.Hubs) != 1 {
		return ""
	}
	for h := range c.Hubs {
		return h
	}
	return ""
}

// splitArgs parses flags wherever they appear (ct lock NAME --ttl 5m as
// well as ct lock --ttl 5m NAME) and returns the positional arguments.
func splitArgs(fs *flag.FlagSet, args []string, stderr io.Writer) ([]string, error) {
	var pos []string
	for {
		if err := parseFlags(fs, args, stderr); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		rest := fs.Args()
		if rest[0] == "--" {
			return append(pos, rest[1:]...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}
