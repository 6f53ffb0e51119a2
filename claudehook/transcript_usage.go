package claudehook

import (
	"strings"
	"time"

	"github.com/ct-dev/ct/wire"
)

// maxTurnCalls bounds the message ids one turn remembers; a turn of more
// model calls than this forgets the oldest (a repeat of one is then counted
// again in the turn line, never in the hub's sums, which dedupe by id).
const maxTurnCalls = 1024

// window1M is the context window Claude Code asks for with a "[1m]" model.
const window1M = 1_000_000

// apiUsage is an assistant record's message.usage, as the Messages API gives it.
type apiUsage struct {
	Input         int64 `json:"input_tokens"`
	Output        int64 `json:"output_tokens"`
	CacheCreation int64 `json:"cache_creation_input_tokens"`
	CacheRead     int64 `json:"cache_read_input_tokens"`
}

// turnUsage sums the model calls since the person's last prompt. Claude Code
// writes one record per content block of a call, each with the call's usage
// (the last may carry the final output count), so a call is keyed by its
// message id and a repeat replaces its earlier counts instead of adding.
type turnUsage struct {
	sum   wire.TokenCounts
	calls map[string]wire.Usage
}

func (t *turnUsage) newTurn() { *t = turnUsage{} }

// callUsage is the usage entry of an assistant record that reports usage, or
// false for other records and for a repeat of a call with the same counts.
func (p *Parser) callUsage(r jsonlRecord, ts time.Time) (wire.TranscriptEntry, bool) {
	if r.Type != "assistant" || r.Message == nil || r.Message.Usage == nil || r.Message.ID == "" || r.APIError {
		return wire.TranscriptEntry{}, false
	}
	a := r.Message.Usage
	u := wire.Usage{MsgID: r.Message.ID, Model: r.Message.Model,
		Input: a.Input, Output: a.Output, CacheCreation: a.CacheCreation, CacheRead: a.CacheRead}
	if strings.HasSuffix(r.RequestedModel, "[1m]") {
		u.Window = window1M
	}
	t := &p.usage
	if old, ok := t.calls[u.MsgID]; ok {
		if old == u {
			return wire.TranscriptEntry{}, false
		}
		t.sum.Add(wire.Usage{Input: -old.Input, Output: -old.Output,
			CacheCreation: -old.CacheCreation, CacheRead: -old.CacheRead})
	}
	if t.calls == nil || len(t.calls) >= maxTurnCalls {
		t.calls = map[string]wire.Usage{}
	}
	t.calls[u.MsgID] = u
	t.sum.Add(u)
	turn := t.sum
	u.Turn = &turn
	return wire.TranscriptEntry{Kind: wire.EntryUsage, TS: ts, Usage: &u}, true
}

// cost is the usage entry of a cost-state record: Claude Code's running
// total for the conversation, as it prices it.
func (p *Parser) cost(r jsonlRecord, ts time.Time) []wire.TranscriptEntry {
	if r.TotalCostUSD == nil || r.SessionID == "" || *r.TotalCostUSD < 0 {
		return nil
	}
	return []wire.TranscriptEntry{{Kind: wire.EntryUsage, TS: ts,
		Cost: &wire.Cost{Conversation: r.SessionID, TotalUSD: *r.TotalCostUSD}}}
}
