package codexhook

import (
	"encoding/json"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ct-dev/ct/wire"
)

// maxResult bounds a command's output in its transcript entry: the
// transcript shows a short one (the whole entry is bounded again when sent).
const maxResult = 2 << 10

// Rollout turns lines of Codex's rollout JSONL ($CODEX_HOME/sessions/…,
// named by transcript_path in every hook payload) into transcript entries:
// the person's and the agent's messages and a command's output from the
// records Codex writes for its own UI (event_msg item_completed), a tool
// call from the model's function_call as soon as it is written (before any
// approval, so the transcript shows what is asked while it is asked), and
// error events, and an apply_patch's files with their diffs (FileChange,
// see patch.go). The model-facing copies of messages and bookkeeping records
// are skipped, so each step shows once. Approvals come from the hub's own
// prompt records; an exec_command call's input is {command, description}
// as its PermissionRequest hook gives it, so the hub places its approval
// right after it. A Rollout keeps no state; the zero value is ready.
type Rollout struct{}

// rolloutRecord is the part of a rollout line ct reads.
type rolloutRecord struct {
	Timestamp time.Time `json:"timestamp"`
	Type      string    `json:"type"`
	Payload   struct {
		Type      string      `json:"type"`
		Message   string      `json:"message"` // error events
		Item      rolloutItem `json:"item"`
		Name      string      `json:"name"`      // function_call
		Arguments string      `json:"arguments"` // function_call: JSON text
		CallID    string      `json:"call_id"`   // function_call
	} `json:"payload"`
}

// rolloutItem is a completed turn item.
type rolloutItem struct {
	Type    string `json:"type"` // UserMessage, AgentMessage, CommandExecution, …
	ID      string `json:"id"`
	Content []struct {
		Type string `json:"type"`
		Text string `json:"text"`
	} `json:"content"`
	Status   string `json:"status"`
	Output   string `json:"aggregated_output"`
	ExitCode *int   `json:"exit_code"`
	// Changes and Stdout are a FileChange's (an apply_patch): each file's
	// effect by its absolute path, and apply_patch's own summary.
	Changes map[string]patchChange `json:"changes"`
	Stdout  string                 `json:"stdout"`
}

// Line parses one rollout record; anything that is not a conversation step
// (or not JSON) gives no entries.
func (Rollout) Line(line []byte) []wire.TranscriptEntry {
	var r rolloutRecord
	if json.Unmarshal(line, &r) != nil || (r.Type != "event_msg" && r.Type != "response_item") {
		return nil
	}
	ts := r.Timestamp
	if ts.IsZero() {
		ts = time.Now().UTC()
	}
	if r.Type == "response_item" {
		if r.Payload.Type != "function_call" {
			return nil
		}
		return []wire.TranscriptEntry{callEntry(r.Payload.Name, r.Payload.Arguments, r.Payload.CallID, ts)}
	}
	switch r.Payload.Type {
	case "error":
		if r.Payload.Message == "" {
			return nil
		}
		return []wire.TranscriptEntry{{Kind: wire.EntryError, TS: ts, Text: r.Payload.Message}}
	case "item_completed":
		return itemEntries(r.Payload.Item, ts)
	}
	return nil
}

func itemEntries(it rolloutItem, ts time.Time) []wire.TranscriptEntry {
	switch it.Type {
	case "UserMessage", "AgentMessage":
		var parts []string
		for _, c := range it.Content {
			if strings.EqualFold(c.Type, "text") && strings.TrimSpace(c.Text) != "" {
				parts = append(parts, c.Text)
			}
		}
		if len(parts) == 0 {
			return nil
		}
		kind := wire.EntryUser
		if it.Type == "AgentMessage" {
			kind = wire.EntryAssistant
		}
		return []wire.TranscriptEntry{{Kind: kind, TS: ts, Text: strings.Join(parts, "\n\n")}}
	case "CommandExecution": // its call was the function_call with this call_id
		res := wire.TranscriptEntry{Kind: wire.EntryToolResult, TS: ts, Tool: "Bash", ID: it.ID, Text: short(it.Output, maxResult)}
		switch {
		case it.Status != "" && it.Status != "completed":
			res.Error = true
			if res.Text == "" {
				res.Text = "not run (" + it.Status + ")"
			}
		case it.ExitCode != nil && *it.ExitCode != 0:
			res.Error = true
		}
		return []wire.TranscriptEntry{res}
	case "FileChange":
		return patchEntries(it, ts)
	}
	return nil
}

// callEntry is the model's function call. exec_command is shown as Codex's
// hooks name it (Bash, input {command, description}: its justification),
// which the transcript view renders as a command; other tools as called.
func callEntry(name, args, id string, ts time.Time) wire.TranscriptEntry {
	e := wire.TranscriptEntry{Kind: wire.EntryToolCall, TS: ts, Tool: name, ID: id}
	if name != "exec_command" {
		if json.Valid([]byte(args)) && len(args) <= maxResult*4 {
			e.Input = json.RawMessage(args)
		}
		return e
	}
	var a struct {
		Cmd           string `json:"cmd"`
		Justification string `json:"justification"`
	}
	_ = json.Unmarshal([]byte(args), &a)
	in := map[string]string{"command": a.Cmd}
	if a.Justification != "" {
		in["description"] = a.Justification
	}
	e.Tool = "Bash"
	e.Input, _ = json.Marshal(in)
	return e
}

// short keeps at most n bytes of s, on a rune boundary, marking a cut.
func short(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
