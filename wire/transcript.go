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
	EntryUsage      = "usage"       // what one model call cost (Usage) or the agent's own running cost (Cost); no text
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
	// Usage is set on a usage entry: one model call's token counts as the
	// agent's transcript reports them.
	Usage *Usage `json:"usage,omitempty"`
	// Cost is set on a usage entry when the agent reports its own running
	// cost (Claude Code's cost-state records).
	Cost *Cost `json:"cost,omitempty"`
	// Change is set on the tool_result of a file tool (Edit, Write,
	// MultiEdit) that changed a file: its path and unified diff, as the
	// agent's transcript reports it (Diff at most MaxEntryDiff, cut with a
	// note).
	Change *EntryChange `json:"change,omitempty"`
}

// EntryChange is one file tool's effect on one file.
type EntryChange struct {
	Path    string `json:"path"`
	Diff    string `json:"diff"`
	Added   int    `json:"added"`
	Removed int    `json:"removed"`
}

// Usage is one model call's token counts. MsgID is the API's message id: an
// agent may write one call in several records (one per content block) and a
// resumed tail reads old records again, so the hub counts each MsgID once.
type Usage struct {
	MsgID         string `json:"msg_id"`
	Model         string `json:"model,omitempty"`
	Window        int64  `json:"window,omitempty"` // the context window the agent asked for, when it says (a "[1m]" model)
	Input         int64  `json:"input"`
	Output        int64  `json:"output"`
	CacheCreation int64  `json:"cache_creation,omitempty"`
	CacheRead     int64  `json:"cache_read,omitempty"`
	// Turn is the sum of the calls since the person's last prompt, this one
	// included (the wrap's parser keeps it), for the transcript's per-turn line.
	Turn *TokenCounts `json:"turn,omitempty"`
}

// TokenCounts is a sum of calls' token counts.
type TokenCounts struct {
	Input         int64 `json:"input"`
	Output        int64 `json:"output"`
	CacheCreation int64 `json:"cache_creation,omitempty"`
	CacheRead     int64 `json:"cache_read,omitempty"`
}

// Add adds u's counts to c.
func (c *TokenCounts) Add(u Usage) {
	c.Input += u.Input
	c.Output += u.Output
	c.CacheCreation += u.CacheCreation
	c.CacheRead += u.CacheRead
}

// Context is how much of the model's context window the call used: every
// input token (fresh, cache written and cache read) plus what it wrote.
func (u Usage) Context() int64 {
	return u.Input + u.CacheCreation + u.CacheRead + u.Output
}

// Cost is an agent's own running cost of one conversation (Conversation is
// the agent's id for it), in US dollars as the agent computes it.
type Cost struct {
	Conversation string  `json:"conversation"`
	TotalUSD     float64 `json:"total_usd"`
}
