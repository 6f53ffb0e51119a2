package claudetest

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
)

// Request is one HTTP request the fake API received, recorded as the CLI sent it.
type Request struct {
	Method string
	Path   string
	Header http.Header
	Body   []byte
	// Messages is the decoded body of a POST /v1/messages, nil for any other request.
	Messages *MessagesRequest
}

// MessagesRequest is the part of a Messages API request body the tests look at.
type MessagesRequest struct {
	Model     string            `json:"model"`
	Stream    bool              `json:"stream"`
	MaxTokens int               `json:"max_tokens"`
	Tools     []json.RawMessage `json:"tools"`
	Messages  []Message         `json:"messages"`
}

// Message is one conversation turn; a plain string content is decoded as one text block.
type Message struct {
	Role    string  `json:"role"`
	Content []Block `json:"content"`
}

// Block is one content block of any type; only the fields of its own type are set.
type Block struct {
	Type      string          `json:"type"`
	Text      string          `json:"text,omitempty"`
	ID        string          `json:"id,omitempty"`
	Name      string          `json:"name,omitempty"`
	Input     json.RawMessage `json:"input,omitempty"`
	ToolUseID string          `json:"tool_use_id,omitempty"`
	Content   json.RawMessage `json:"content,omitempty"`
	IsError   bool            `json:"is_error,omitempty"`
}

// UnmarshalJSON accepts both content shapes the API allows: a string or a list of blocks.
func (m *Message) UnmarshalJSON(data []byte) error {
	var raw struct {
		Role    string          `json:"role"`
		Content json.RawMessage `json:"content"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return err
	}
	m.Role = raw.Role
	m.Content = nil
	c := bytes.TrimSpace(raw.Content)
	if len(c) > 0 && c[0] == '"' {
		var s string
		if err := json.Unmarshal(c, &s); err != nil {
			return err
		}
		m.Content = []Block{{Type: "text", Text: s}}
		return nil
	}
	if len(c) == 0 || string(c) == "null" {
		return nil
	}
	return json.Unmarshal(c, &m.Content)
}

// Text joins the message's text blocks with newlines (Claude Code adds system-reminder blocks
// to the user's own words, so match with strings.Contains rather than equality).
func (m Message) Text() string {
	var parts []string
	for _, b := range m.Content {
		if b.Type == "text" {
			parts = append(parts, b.Text)
		}
	}
	return strings.Join(parts, "\n")
}

// ResultText is a tool_result block's content as text, whether sent as a string or as blocks.
func (b Block) ResultText() string {
	c := bytes.TrimSpace(b.Content)
	if len(c) == 0 {
		return ""
	}
	if c[0] == '"' {
		var s string
		_ = json.Unmarshal(c, &s)
		return s
	}
	var blocks []Block
	if err := json.Unmarshal(c, &blocks); err != nil {
		return string(c)
	}
	var parts []string
	for _, inner := range blocks {
		if inner.Type == "text" {
			parts = append(parts, inner.Text)
		}
	}
	return strings.Join(parts, "\n")
}

// LastUser returns the last user message, the one the reply answers.
func (r *MessagesRequest) LastUser() (Message, bool) {
	for i := len(r.Messages) - 1; i >= 0; i-- {
		if r.Messages[i].Role == "user" {
			return r.Messages[i], true
		}
	}
	return Message{}, false
}

// ToolResults returns the tool_result blocks of the last user message: non-empty means the
// request reports on tools the previous reply asked for, empty means a typed prompt.
func (r *MessagesRequest) ToolResults() []Block {
	last, _ := r.LastUser()
	var out []Block
	for _, b := range last.Content {
		if b.Type == "tool_result" {
			out = append(out, b)
		}
	}
	return out
}

// Turns counts the assistant turns so far: which step of a scripted
// conversation this request asks for (0 for the typed prompt).
func (r *MessagesRequest) Turns() int {
	n := 0
	for _, m := range r.Messages {
		if m.Role == "assistant" {
			n++
		}
	}
	return n
}
