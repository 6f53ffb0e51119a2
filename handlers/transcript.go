package handlers

import (
	"bytes"
	"encoding/json"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/ct-dev/ct/db"
	"github.com/ct-dev/ct/views"
	"github.com/ct-dev/ct/wire"
	"github.com/go-chi/chi/v5"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
)

// The transcript of a Claude Code session: the entries its wrap logged from
// Claude Code's session JSONL (db.Store.Transcript), with the hub's own
// approval records merged in where they happened.

// txEntry is one transcript step, logged or an approval.
type txEntry struct {
	Seq uint64 // 0 for approvals
	wire.TranscriptEntry
	By   string // who gave an approval
	From string // which agent asked ("from the general-purpose agent"; "": the main thread)
}

// apiTranscriptEntry is a transcript step as the JSON API shows it.
type apiTranscriptEntry struct {
	Kind  string          `json:"kind"`
	TS    time.Time       `json:"ts"`
	Text  string          `json:"text"`
	Tool  string          `json:"tool,omitempty"`
	Input json.RawMessage `json:"input,omitempty"`
	ID    string          `json:"id,omitempty"`
	Error bool            `json:"error,omitempty"`
	By    string          `json:"by,omitempty"`
	Usage *wire.Usage     `json:"usage,omitempty"` // a usage entry: one model call
	Cost  *wire.Cost      `json:"cost,omitempty"`  // a usage entry: the agent's running cost
}

// handleAPISessionTranscript is GET /api/v1/sessions/{id}/transcript[?since=N&limit=N].
func (s *Server) handleAPISessionTranscript(w http.ResponseWriter, r *http.Request) error {
	id := chi.URLParam(r, "id")
	if _, err := s.visibleSession(principal(r), id, false); err != nil {
		return err
	}
	entries, err := s.transcript(id)
	if err != nil {
		return err
	}
	if entries, err = transcriptWindow(r.URL.Query(), entries); err != nil {
		return err
	}
	out := make([]apiTranscriptEntry, 0, len(entries))
	for _, e := range entries {
		by := e.By // an approval's answerer
		if by == "" {
			by = e.TranscriptEntry.By // a prompt's sender, as the hub saw it
		}
		out = append(out, apiTranscriptEntry{Kind: e.Kind, TS: e.TS, Text: e.Text, Tool: e.Tool, Input: e.Input, ID: e.ID, Error: e.Error, By: by, Usage: e.Usage, Cost: e.Cost})
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// transcript reads session id's logged entries and merges its settled
// prompts in as approvals.
func (s *Server) transcript(id string) ([]txEntry, error) {
	logged, err := s.store.Transcript(id)
	if err != nil {
		return nil, err
	}
	out := make([]txEntry, 0, len(logged))
	for _, e := range logged {
		out = append(out, txEntry{Seq: e.Seq, TranscriptEntry: e.TranscriptEntry})
	}
	prompts, err := s.store.Prompts(db.PromptFilter{SessionID: id, State: "decided"})
	if err != nil {
		return nil, err
	}
	sort.SliceStable(prompts, func(i, j int) bool { return prompts[i].CreatedAt.Before(prompts[j].CreatedAt) })
	for _, p := range prompts {
		if p.Kind == "hook" { // an agent's question; screen-rule prompts belong to other programs
			out = placeApproval(out, approvalEntry(p))
		}
	}
	return out, nil
}

// approvalEntry describes a settled prompt as a transcript step.
func approvalEntry(p db.Prompt) txEntry {
	ts := p.DecidedAt
	if ts.IsZero() {
		ts = p.CreatedAt
	}
	by := p.DecidedBy
	if by == "" {
		by = p.ClosedBy
	}
	return txEntry{By: by, From: fromAgent(p), TranscriptEntry: wire.TranscriptEntry{
		Kind: wire.EntryApproval, TS: ts, Text: outcome(p), Tool: p.Tool, Input: p.Input, ID: "prompt:" + p.ID,
		Error: p.State == db.PromptDenied,
	}}
}

// placeApproval inserts a right after the first tool call it answered (same
// tool and input, not yet answered), so the order does not depend on the
// hub's and the workstation's clocks agreeing; with no such call it goes by
// time.
func placeApproval(list []txEntry, a txEntry) []txEntry {
	at := -1
	for i, e := range list {
		if e.Kind == wire.EntryToolCall && e.Tool == a.Tool && sameJSON(e.Input, a.Input) &&
			(i+1 >= len(list) || list[i+1].Kind != wire.EntryApproval) {
			at = i + 1
			break
		}
	}
	if at < 0 {
		at = len(list)
		for i, e := range list {
			if e.TS.After(a.TS) {
				at = i
				break
			}
		}
	}
	list = append(list, txEntry{})
	copy(list[at+1:], list[at:])
	list[at] = a
	return list
}

func sameJSON(a, b json.RawMessage) bool {
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	ca, _ := json.Marshal(x)
	cb, _ := json.Marshal(y)
	return bytes.Equal(ca, cb)
}

// newMarkdown renders an agent's markdown safely: goldmark without
// html.WithUnsafe drops raw HTML and dangerous link schemes (javascript:).
func newMarkdown() goldmark.Markdown {
	return goldmark.New(goldmark.WithExtensions(extension.GFM))
}

// promptLabel names who sent a prompt: "mike from the hub", "At the
// terminal", or "Prompt" when the hub could not tell (an entry from before
// the hub recorded it).
func promptLabel(by string) string {
	switch {
	case by == "":
		return "Prompt"
	case by == "at the terminal":
		return "At the terminal"
	}
	return by
}

// transcriptItems turns the entries of a session running agent into what
// the page shows.
func transcriptItems(agent string, entries []txEntry) []views.TranscriptItem {
	md := newMarkdown()
	items := make([]views.TranscriptItem, 0, len(entries))
	for i, e := range entries {
		it := views.TranscriptItem{
			Key: "tx-" + strconv.FormatUint(e.Seq, 10), Kind: e.Kind, Text: e.Text, Error: e.Error,
			Time: e.TS.Local().Format("15:04:05"), ISO: e.TS.UTC().Format(time.RFC3339),
		}
		switch e.Kind {
		case wire.EntryUser:
			it.Label = promptLabel(e.TranscriptEntry.By)
		case wire.EntryAssistant:
			it.Label = views.AgentShort(agent)
			var b bytes.Buffer
			if md.Convert([]byte(e.Text), &b) == nil {
				it.HTML = b.String()
			}
		case wire.EntryToolCall:
			it.Label = e.Tool
			it.Input = inputText(e.Input)
		case wire.EntryToolResult:
			it.Label = "Result"
			if e.Tool != "" {
				it.Label = e.Tool + " result"
			}
			if it.Text == "" {
				it.Text = "(no output)"
			}
		case wire.EntryApproval:
			it.Key = "tx-p-" + strings.TrimPrefix(e.ID, "prompt:")
			it.Label = "Approval · " + e.Tool
			if e.From != "" {
				it.Label += " · " + e.From
			}
			// A subagent's tool calls are not in the session's transcript:
			// an approval with no call just before it shows what it allowed.
			if i == 0 || entries[i-1].Kind != wire.EntryToolCall || entries[i-1].Tool != e.Tool {
				it.Input = inputText(e.Input)
			}
		case wire.EntryError:
			it.Label = "Error"
		case wire.EntryNote:
			it.Label = "Claude Code"
		case wire.EntryUsage:
			if e.Usage == nil {
				continue // a running cost: the header shows it
			}
			it.Label, it.Text = "Tokens", turnText(e.Usage)
		default:
			it.Label = e.Kind
		}
		items = append(items, it)
	}
	return items
}

// inputText shows a tool's input: the field that says what it does when
// there is one (a shell command, a file path), else the JSON.
func inputText(raw json.RawMessage) string {
	if len(raw) == 0 {
		return ""
	}
	var m map[string]any
	if json.Unmarshal(raw, &m) == nil {
		for _, k := range []string{"command", "file_path", "path", "pattern", "url", "query"} {
			if v, ok := m[k].(string); ok && v != "" {
				return v
			}
		}
	}
	return prettyJSON(raw)
}
