package geminihook

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/ct-dev/ct/claudehook"
	"github.com/ct-dev/ct/wire"
)

const (
	// maxText bounds a prompt or a reply in its entry (the whole entry is
	// bounded again when sent).
	maxText = 24 << 10
	// maxResult bounds a tool's output: the transcript shows a short one.
	maxResult = 2 << 10
	// maxSeen bounds the ids a Chat remembers. A session never gets near
	// it; past it the memory is dropped, and only a message Gemini
	// re-writes after that (its latest one) could show twice.
	maxSeen = 1 << 17
)

// Chat turns lines of Gemini CLI's chat recording (0.61.0:
// ~/.gemini/tmp/<project>/chats/session-*.jsonl, named by transcript_path
// in every hook payload) into transcript entries. The file is JSONL and
// only appended to, but Gemini appends a message again, whole and under the
// same id, each time it changes (token counts added, tool calls completed),
// and writes "$set" / "$rewindTo" bookkeeping records between them. So a
// Chat remembers which message texts, tool calls and tool results it has
// emitted and emits each once: a re-read file (the tailer starts over when
// the file shrinks) or a re-written message gives nothing new. "$set"
// records (Gemini's own session context, a rewritten history) are skipped:
// every step the person and the model took comes as its own record.
//
// Gemini records a tool call only once it has finished, so its call and
// result come together; a run_shell_command is shown as "Bash" with
// {command, description}, as its BeforeTool prompt is, so the hub places
// its approval right after it. Not safe for concurrent use (the tailer
// calls it under its lock).
type Chat struct {
	seen map[string]bool
}

// NewChat returns a parser with nothing emitted yet.
func NewChat() *Chat { return &Chat{seen: map[string]bool{}} }

// chatMessage is the part of a chat recording line ct reads.
type chatMessage struct {
	ID        string          `json:"id"`
	Timestamp time.Time       `json:"timestamp"`
	Type      string          `json:"type"` // user, gemini, info, error, warning
	Content   json.RawMessage `json:"content"`
	ToolCalls []chatToolCall  `json:"toolCalls"`
}

// chatToolCall is one completed tool call of a gemini message.
type chatToolCall struct {
	ID        string          `json:"id"`
	Name      string          `json:"name"`
	Args      json.RawMessage `json:"args"`
	Status    string          `json:"status"` // success, error, cancelled
	Timestamp time.Time       `json:"timestamp"`
	Result    []struct {
		FunctionResponse struct {
			Response json.RawMessage `json:"response"`
		} `json:"functionResponse"`
	} `json:"result"`
}

// chatPart is one part of a message's content.
type chatPart struct {
	Text    string `json:"text"`
	Thought bool   `json:"thought"`
}

// Line parses one record; anything that is not a conversation step (or
// not JSON, or already emitted) gives no entries.
func (c *Chat) Line(line []byte) []wire.TranscriptEntry {
	var m chatMessage
	if json.Unmarshal(line, &m) != nil || m.ID == "" {
		return nil // metadata, $set, $rewindTo, or not a whole record
	}
	ts := m.Timestamp
	if ts.IsZero() {
		ts = time.Now().UTC()
	}
	var out []wire.TranscriptEntry
	switch m.Type {
	case "user":
		if t := contentText(m.Content); t != "" && !strings.HasPrefix(t, "<session_context>") && c.first("u:"+m.ID) {
			out = append(out, wire.TranscriptEntry{Kind: wire.EntryUser, TS: ts, Text: claudehook.Cut(t, maxText)})
		}
	case "gemini":
		if t := contentText(m.Content); t != "" && c.first("a:"+m.ID) {
			out = append(out, wire.TranscriptEntry{Kind: wire.EntryAssistant, TS: ts, Text: claudehook.Cut(t, maxText)})
		}
		for _, tc := range m.ToolCalls {
			out = append(out, c.toolEntries(tc, ts)...)
		}
	case "error":
		if t := contentText(m.Content); t != "" && c.first("e:"+m.ID) {
			out = append(out, wire.TranscriptEntry{Kind: wire.EntryError, TS: ts, Text: claudehook.Cut(t, maxText)})
		}
	}
	return out
}

// toolEntries is a tool call and, once it has a final status, its result.
func (c *Chat) toolEntries(tc chatToolCall, ts time.Time) []wire.TranscriptEntry {
	if tc.ID == "" || tc.Name == "" {
		return nil
	}
	tool, input, _ := hubTool(tc.Name, tc.Args)
	if !json.Valid(input) || len(input) > 8<<10 {
		input = nil
	}
	var out []wire.TranscriptEntry
	if c.first("c:" + tc.ID) {
		out = append(out, wire.TranscriptEntry{Kind: wire.EntryToolCall, TS: ts, Tool: tool, Input: input, ID: tc.ID})
	}
	if tc.Status == "" || tc.Status == "executing" || tc.Status == "scheduled" || tc.Status == "validating" || tc.Status == "awaiting_approval" {
		return out // not finished: its result comes in a later copy
	}
	if !c.first("r:" + tc.ID) {
		return out
	}
	rts := tc.Timestamp
	if rts.IsZero() {
		rts = ts
	}
	res := wire.TranscriptEntry{Kind: wire.EntryToolResult, TS: rts, Tool: tool, ID: tc.ID, Error: tc.Status != "success"}
	for _, r := range tc.Result {
		if t := responseText(r.FunctionResponse.Response); t != "" {
			res.Text = claudehook.Cut(t, maxResult)
			break
		}
	}
	if res.Text == "" && res.Error {
		res.Text = "not run (" + tc.Status + ")"
	}
	return append(out, res)
}

// first reports whether key is new, and remembers it.
func (c *Chat) first(key string) bool {
	if c.seen == nil || len(c.seen) >= maxSeen {
		c.seen = map[string]bool{}
	}
	if c.seen[key] {
		return false
	}
	c.seen[key] = true
	return true
}

// contentText is a message's readable text: a string, or the text parts
// (not thoughts) of a part list.
func contentText(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return strings.TrimSpace(s)
	}
	var parts []chatPart
	if json.Unmarshal(raw, &parts) != nil {
		return ""
	}
	var texts []string
	for _, p := range parts {
		if !p.Thought && strings.TrimSpace(p.Text) != "" {
			texts = append(texts, p.Text)
		}
	}
	return strings.TrimSpace(strings.Join(texts, "\n"))
}

// responseText is what a function response says: its output or error,
// without the <untrusted_context> wrapper Gemini gives the model.
func responseText(raw json.RawMessage) string {
	var r struct {
		Output json.RawMessage `json:"output"`
		Error  json.RawMessage `json:"error"`
	}
	if json.Unmarshal(raw, &r) != nil {
		return ""
	}
	for _, v := range []json.RawMessage{r.Output, r.Error} {
		var s string
		if json.Unmarshal(v, &s) == nil && strings.TrimSpace(s) != "" {
			return unwrap(s)
		}
		if len(v) > 0 && string(v) != "null" {
			return string(v)
		}
	}
	return ""
}

// unwrap removes the <untrusted_context> tags around a shell's output.
func unwrap(s string) string {
	s = strings.TrimSpace(s)
	if t, ok := strings.CutPrefix(s, "<untrusted_context>"); ok {
		s = strings.TrimSpace(strings.TrimSuffix(t, "</untrusted_context>"))
	}
	return s
}
