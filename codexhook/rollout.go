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
// named by transcript_path in every hook payload) into transcript entries.
// It reads the records Codex writes for its own UI (event_msg
// item_completed: the person's message, the agent's message, a command with
// its output and exit code) and an error event; the model-facing copies
// (response_item) and bookkeeping records are skipped, so each step shows
// once. Approvals come from the hub's own prompt records. A Rollout keeps no
// state; the zero value is ready.
type Rollout struct{}

// rolloutRecord is the part of a rollout line ct reads.
type rolloutRecord struct {
	Timestamp time.Time `json:"timestamp"`
	Type      string    `json:"type"`
	Payload   struct {
		Type    string      `json:"type"`
		Message string      `json:"message"` // error events
		Item    rolloutItem `json:"item"`
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
	Command  []string `json:"command"`
	Status   string   `json:"status"`
	Output   string   `json:"aggregated_output"`
	ExitCode *int     `json:"exit_code"`
}

// Line parses one rollout record; anything that is not a conversation step
// (or not JSON) gives no entries.
func (Rollout) Line(line []byte) []wire.TranscriptEntry {
	var r rolloutRecord
	if json.Unmarshal(line, &r) != nil || r.Type != "event_msg" {
		return nil
	}
	ts := r.Timestamp
	if ts.IsZero() {
		ts = time.Now().UTC()
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
	case "CommandExecution":
		// Shown as Claude Code's Bash is ({"command": …}), which the
		// transcript view already renders as a command.
		input, _ := json.Marshal(map[string]string{"command": shownCommand(it.Command)})
		call := wire.TranscriptEntry{Kind: wire.EntryToolCall, TS: ts, Tool: "Bash", ID: it.ID, Input: input}
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
		return []wire.TranscriptEntry{call, res}
	}
	return nil
}

// shownCommand is the command as the model wrote it: Codex runs it as
// [shell, -lc, script], and the script is what the person reads.
func shownCommand(argv []string) string {
	if len(argv) == 3 && (argv[1] == "-lc" || argv[1] == "-c") {
		return argv[2]
	}
	return strings.Join(argv, " ")
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
