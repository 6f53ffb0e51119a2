package client

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/ct-dev/ct/wire"
)

// The session calls of ct mcp's coordinating tools (list_sessions,
// read_screen, read_transcript, send_input, start_session). With an
// agent's credential the hub answers them under its owner's rights.

// Session is one session as GET /api/v1/sessions lists it.
type Session struct {
	ID        string    `json:"id"`
	Node      string    `json:"node"` // the machine
	Command   string    `json:"command"`
	Args      []string  `json:"args"`
	Cwd       string    `json:"cwd"`
	Status    string    `json:"status"` // live | offline | ended
	Agent     string    `json:"agent,omitempty"`
	State     string    `json:"state"` // working | waiting_input | waiting_approval | idle | ...
	StartedAt time.Time `json:"started_at"`
	Waiting   *Waiting  `json:"waiting,omitempty"`
}

// Waiting is the question a session waits on, for a person to answer.
type Waiting struct {
	ID      string `json:"id"`
	Tool    string `json:"tool"`
	Summary string `json:"summary,omitempty"`
	URL     string `json:"url"`
}

// TranscriptEntry is one step of a session's transcript, as the hub
// answers it: the wire's entry (by: who sent a prompt or gave an approval).
type TranscriptEntry = wire.TranscriptEntry

// Spawned is the session a node started.
type Spawned struct {
	SessionID string `json:"session_id"`
	URL       string `json:"url"`
}

// Sessions is GET /api/v1/sessions: every session the caller may see.
func (c *Client) Sessions(ctx context.Context) ([]Session, error) {
	var list []Session
	err := c.do(ctx, http.MethodGet, "/api/v1/sessions", nil, &list)
	return list, err
}

// Screen is GET /api/v1/sessions/{id}/screen: the screen as text, rows top first.
func (c *Client) Screen(ctx context.Context, id string) (string, error) {
	var b []byte
	err := c.do(ctx, http.MethodGet, "/api/v1/sessions/"+url.PathEscape(id)+"/screen", nil, &b)
	return string(b), err
}

// Transcript is GET /api/v1/sessions/{id}/transcript?since=N&limit=N: up
// to limit entries after the first since.
func (c *Client) Transcript(ctx context.Context, id string, since, limit int) ([]TranscriptEntry, error) {
	var list []TranscriptEntry
	q := url.Values{"since": {strconv.Itoa(since)}, "limit": {strconv.Itoa(limit)}}
	err := c.do(ctx, http.MethodGet, "/api/v1/sessions/"+url.PathEscape(id)+"/transcript?"+q.Encode(), nil, &list)
	return list, err
}

// SendInput is POST /api/v1/sessions/{id}/input with text typed as is.
func (c *Client) SendInput(ctx context.Context, id, text string) error {
	return c.do(ctx, http.MethodPost, "/api/v1/sessions/"+url.PathEscape(id)+"/input", map[string]string{"text": text}, nil)
}

// StartSession is POST /api/v1/nodes/{node}/sessions: the node's ct node
// starts command in cwd (its allow-list and roots decide), with prompt as
// the first prompt when set.
func (c *Client) StartSession(ctx context.Context, node, command, cwd, prompt string) (Spawned, error) {
	var out Spawned
	body := map[string]string{"command": command, "cwd": cwd, "prompt": prompt}
	err := c.send(ctx, c.timeout+spawnWait, http.MethodPost, "/api/v1/nodes/"+url.PathEscape(node)+"/sessions", "", body, &out)
	return out, err
}

// spawnWait is how long the hub waits for a node to start a session (its
// own bound is 20 s) on top of a call's usual timeout: the answer comes
// only once the new session reached the hub.
const spawnWait = 20 * time.Second
