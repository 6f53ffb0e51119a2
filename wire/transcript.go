package wire

import (
	"encoding/json"
	"time"
)

// TypeTranscriptEntry is transcript.entry: wrap → hub, sequenced. One readable
// step of an agent's conversation (a prompt, a reply, a tool call or result),
// stored in the session's log beside its output so it is durable, ordered and
// resent after a reconnect like any output.
const TypeTranscriptEntry = "transcript.entry"

// Transcript entry kinds.
const (
	EntryUser       = "user"        // the person's prompt
	EntryAssistant  = "assistant"   // the agent's reply (markdown)
	EntryToolCall   = "tool_call"   // the agent runs a tool; Input holds its arguments
	EntryToolResult = "tool_result" // what the tool returned (short)
	EntryApproval   = "approval"    // a permission answer (from the hub's prompt records)
	EntryError      = "error"       // an API error or a failed tool
	EntryNote       = "note"        // something the agent's CLI did, not the person: a slash command, a background task's end
)

// TranscriptEntry is transcript.entry's payload. Text is bounded by the wrap
// (a long reply is cut) so every event stays well inside the hub's header
// limit.
type TranscriptEntry struct {
	Kind  string          `json:"kind"`
	TS    time.Time       `json:"ts"`
	Text  string          `json:"text,omitempty"`
	Tool  string          `json:"tool,omitempty"`
	Input json.RawMessage `json:"input,omitempty"`
	ID    string          `json:"id,omitempty"` // tool_use id: pairs a tool_call with its tool_result
	Error bool            `json:"error,omitempty"`
	// By says who sent a user prompt, as the hub saw it: "mike from the
	// hub" or "at the terminal" (the hub sets it; a wrap's value is
	// replaced).
	By string `json:"by,omitempty"`
}
