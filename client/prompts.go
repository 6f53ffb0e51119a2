package client

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"time"
)

// Prompt is one approval question as GET /api/v1/prompts gives it: what
// the agent asks to run, where, and (once closed) how it was settled.
type Prompt struct {
	ID        string          `json:"id"`
	SessionID string          `json:"session_id"`
	Node      string          `json:"node"`
	Tool      string          `json:"tool"`
	Input     json.RawMessage `json:"input"`
	State     string          `json:"state"`   // pending | closed
	Outcome   string          `json:"outcome"` // how it closed, in words
	Decision  *string         `json:"decision"`
	DecidedBy *string         `json:"decided_by"`
	Change    string          `json:"change,omitempty"`
	CreatedAt time.Time       `json:"created_at"`
}

// Decision is the body of POST /api/v1/prompts/{id}/decision: "allow" or
// "deny", with a deny's message for the agent.
type Decision struct {
	Decision string `json:"decision"`
	Message  string `json:"message,omitempty"`
	// OnBehalfOf names the chat user a connector answers for (at most
	// 128 bytes, one line): the hub shows "NAME via CONNECTOR" but still
	// decides, and audits, as the connector's token.
	OnBehalfOf string `json:"on_behalf_of,omitempty"`
}

// Prompts is GET /api/v1/prompts: state "pending", "closed" or "" (both),
// of one session when session is set; only machines the caller may see.
func (c *Client) Prompts(ctx context.Context, state, session string) ([]Prompt, error) {
	v := url.Values{}
	if state != "" {
		v.Set("state", state)
	}
	if session != "" {
		v.Set("session", session)
	}
	var list []Prompt
	err := c.do(ctx, http.MethodGet, "/api/v1/prompts?"+v.Encode(), nil, &list)
	return list, err
}

// DecidePrompt is POST /api/v1/prompts/{id}/decision: the hub checks the
// caller may drive the prompt's machine (as for a person on the web) and
// returns only once the workstation confirmed what it applied.
func (c *Client) DecidePrompt(ctx context.Context, id string, d Decision) (Prompt, error) {
	var p Prompt
	err := c.do(ctx, http.MethodPost, "/api/v1/prompts/"+url.PathEscape(id)+"/decision", d, &p)
	return p, err
}
