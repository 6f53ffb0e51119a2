package claudehook

import (
	"encoding/json"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ct-dev/ct/wire"
)

// Bounds on what one transcript entry carries, so each stays far inside the
// hub's limit for a sequenced event's payload (hub.transcriptHeaderLimit).
const (
	maxEntryText   = 24 << 10 // a prompt or a reply; longer ones are cut
	maxResultText  = 2 << 10  // a tool's result: the transcript shows a short one
	maxEntryInput  = 8 << 10  // a tool call's input JSON
	maxEntryOutput = 48 << 10 // the whole encoded payload
	maxToolNames   = 4096     // tool_use ids remembered to name their results
)

// Parser turns lines of Claude Code's session transcript (JSONL, one record a
// line) into transcript entries. It keeps the tool names of recent tool_use
// blocks so a tool_result can say which tool it came from. Not safe for
// concurrent use.
type Parser struct {
	tools map[string]string // tool_use id -> tool name
	usage turnUsage
}

// jsonlRecord is the part of a transcript record ct reads. Records of other
// types (attachments, snapshots, api-request bookkeeping) are skipped.
type jsonlRecord struct {
	Type        string    `json:"type"`
	IsSidechain bool      `json:"isSidechain"`
	IsMeta      bool      `json:"isMeta"`
	APIError    bool      `json:"isApiErrorMessage"`
	Level       string    `json:"level"`
	Content     string    `json:"content"` // system records
	Timestamp   time.Time `json:"timestamp"`
	Message     *struct {
		Content json.RawMessage `json:"content"`
		ID      string          `json:"id"`
		Model   string          `json:"model"`
		Usage   *apiUsage       `json:"usage"`
	} `json:"message"`
	RequestedModel string `json:"requestedModel"`
	// cost-state records: Claude Code's own running cost of the conversation.
	SessionID    string   `json:"sessionId"`
	TotalCostUSD *float64 `json:"totalCostUSD"`
	// ToolUseResult is what Claude Code records of a tool's effect beside
	// its tool_result (for file tools: the hunks it applied).
	ToolUseResult json.RawMessage `json:"toolUseResult"`
}

// block is one content block of a message.
type block struct {
	Type      string          `json:"type"`
	Text      string          `json:"text"`
	ID        string          `json:"id"`
	Name      string          `json:"name"`
	Input     json.RawMessage `json:"input"`
	ToolUseID string          `json:"tool_use_id"`
	Content   json.RawMessage `json:"content"`
	IsError   bool            `json:"is_error"`
}

// Line parses one JSONL record; a line that is not a conversation step (or not
// JSON at all) gives no entries.
func (p *Parser) Line(line []byte) []wire.TranscriptEntry {
	var r jsonlRecord
	if json.Unmarshal(line, &r) != nil || r.IsSidechain || r.IsMeta {
		return nil
	}
	ts := r.Timestamp
	if ts.IsZero() {
		ts = time.Now().UTC()
	}
	switch r.Type {
	case "cost-state":
		return p.cost(r, ts)
	case "system":
		if r.Level == "error" && r.Content != "" {
			return []wire.TranscriptEntry{{Kind: wire.EntryError, TS: ts, Text: Cut(r.Content, maxEntryText)}}
		}
		return nil
	case "user", "assistant":
	default:
		return nil
	}
	if r.Message == nil || len(r.Message.Content) == 0 {
		return nil
	}
	var blocks []block
	var s string
	if json.Unmarshal(r.Message.Content, &s) == nil {
		blocks = []block{{Type: "text", Text: s}}
	} else if json.Unmarshal(r.Message.Content, &blocks) != nil {
		return nil
	}
	var out []wire.TranscriptEntry
	for _, b := range blocks {
		if e, ok := p.block(r, b, ts); ok {
			if e.Kind == wire.EntryUser {
				p.usage.newTurn()
			}
			out = append(out, e)
		}
	}
	if e, ok := p.callUsage(r, ts); ok {
		out = append(out, e)
	}
	return out
}

func (p *Parser) block(r jsonlRecord, b block, ts time.Time) (wire.TranscriptEntry, bool) {
	e := wire.TranscriptEntry{TS: ts}
	switch {
	case b.Type == "text" && r.Type == "user":
		if hidden(b.Text) {
			return e, false
		}
		if note, ok := systemNote(b.Text); ok {
			if note == "" {
				return e, false
			}
			e.Kind, e.Text = wire.EntryNote, Cut(note, maxEntryText)
			return e, true
		}
		e.Kind, e.Text = wire.EntryUser, Cut(b.Text, maxEntryText)
	case b.Type == "text": // assistant
		if strings.TrimSpace(b.Text) == "" {
			return e, false
		}
		e.Kind, e.Text = wire.EntryAssistant, Cut(b.Text, maxEntryText)
		if r.APIError {
			e.Kind = wire.EntryError
		}
	case b.Type == "image" && r.Type == "user":
		e.Kind, e.Text = wire.EntryUser, "[image]"
	case b.Type == "tool_use":
		p.remember(b.ID, b.Name)
		e.Kind, e.Tool, e.ID, e.Input = wire.EntryToolCall, b.Name, b.ID, boundInput(b.Input)
	case b.Type == "tool_result":
		e.Kind, e.ID, e.Tool = wire.EntryToolResult, b.ToolUseID, p.tools[b.ToolUseID]
		e.Text, e.Error = Cut(resultText(b.Content), maxResultText), b.IsError
		if !b.IsError {
			e.Change = entryChange(e.Tool, r.ToolUseResult)
		}
	default: // thinking, redacted_thinking, and blocks ct does not show
		return e, false
	}
	return e, true
}

func (p *Parser) remember(id, name string) {
	if id == "" {
		return
	}
	if p.tools == nil || len(p.tools) >= maxToolNames {
		p.tools = map[string]string{} // only recent calls still await results
	}
	p.tools[id] = name
}

// hidden reports text Claude Code writes as a user record that the person did
// not type: reminders and the output of local slash commands.
func hidden(s string) bool {
	t := strings.TrimSpace(s)
	return t == "" || strings.HasPrefix(t, "<system-reminder>") || strings.HasPrefix(t, "<local-command-")
}

// systemNote reads the user records Claude Code writes itself, in XML, that
// nobody typed: a slash command (`<command-name>/clear</command-name>…`,
// shown as "/clear") and a background task's notification
// (`<task-notification>…<summary>…</summary>…`, shown by its summary). ok is
// false for anything else; a note of "" is dropped.
func systemNote(s string) (note string, ok bool) {
	t := strings.TrimSpace(s)
	switch {
	case strings.HasPrefix(t, "<command-name>") || strings.HasPrefix(t, "<command-message>"):
		name := strings.TrimSpace(xmlField(t, "command-name"))
		if name == "" {
			name = "/" + strings.TrimSpace(xmlField(t, "command-message"))
		}
		if args := strings.TrimSpace(xmlField(t, "command-args")); args != "" {
			name += " " + args
		}
		if name == "/clear" {
			return "/clear: the conversation was cleared", true
		}
		return "Ran " + name, true
	case strings.HasPrefix(t, "<task-notification>"):
		if sum := strings.TrimSpace(xmlField(t, "summary")); sum != "" {
			return sum, true
		}
		if st := strings.TrimSpace(xmlField(t, "status")); st != "" {
			return "A background task " + st, true
		}
		return "A background task sent a notification", true
	}
	return "", false
}

// xmlField is the text of the first <name>…</name> in s ("" if none).
func xmlField(s, name string) string {
	_, rest, ok := strings.Cut(s, "<"+name+">")
	if !ok {
		return ""
	}
	v, _, _ := strings.Cut(rest, "</"+name+">")
	return v
}

// resultText flattens a tool_result's content: a string, or text blocks.
func resultText(raw json.RawMessage) string {
	if len(raw) == 0 {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var parts []block
	if json.Unmarshal(raw, &parts) != nil {
		return ""
	}
	var b strings.Builder
	for _, part := range parts {
		switch part.Type {
		case "text":
			if b.Len() > 0 {
				b.WriteByte('\n')
			}
			b.WriteString(part.Text)
		case "image":
			b.WriteString("[image]")
		}
		if b.Len() > maxResultText {
			break
		}
	}
	return b.String()
}

// boundInput keeps a tool's input as JSON when it is small, and as a JSON
// string of its cut text otherwise (the entry must stay valid JSON).
func boundInput(in json.RawMessage) json.RawMessage {
	if len(in) == 0 || !json.Valid(in) {
		return nil
	}
	if len(in) <= maxEntryInput {
		return in
	}
	b, _ := json.Marshal(Cut(string(in), maxEntryInput))
	return b
}

// Cut shortens s to at most n bytes on a rune boundary, marking the cut.
func Cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	i := n
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i] + "…"
}
