package claudehook

import (
	"testing"

	"github.com/ct-dev/ct/wire"
)

// usageLines are records as Claude Code 2.1.332 writes them (trimmed): a
// call written as two records (one per content block) with the same id,
// then a second call, then its cost-state record.
var usageLines = []string{
	`{"type":"user","message":{"role":"user","content":"hi"},"timestamp":"2026-12-01T23:52:18.797Z"}`,
	`{"type":"assistant","requestedModel":"claude-sonnet-4-6[1m]","message":{"id":"msg_1","model":"claude-sonnet-4-6","content":[{"type":"thinking","thinking":"…"}],"usage":{"input_tokens":111,"cache_creation_input_tokens":333,"cache_read_input_tokens":4444,"output_tokens":1}},"timestamp":"2026-12-01T23:52:19Z"}`,
	`{"type":"assistant","message":{"id":"msg_1","model":"claude-sonnet-4-6","content":[{"type":"text","text":"one"}],"usage":{"input_tokens":111,"cache_creation_input_tokens":333,"cache_read_input_tokens":4444,"output_tokens":22}},"timestamp":"2026-12-01T23:52:19Z"}`,
	`{"type":"assistant","message":{"id":"msg_1","model":"claude-sonnet-4-6","content":[{"type":"text","text":"one"}],"usage":{"input_tokens":111,"cache_creation_input_tokens":333,"cache_read_input_tokens":4444,"output_tokens":22}},"timestamp":"2026-12-01T23:52:19Z"}`,
	`{"type":"assistant","message":{"id":"msg_2","model":"claude-sonnet-4-6","content":[{"type":"text","text":"two"}],"usage":{"input_tokens":7,"output_tokens":8}},"timestamp":"2026-12-01T23:52:20Z"}`,
	`{"type":"cost-state","sessionId":"conv-1","totalCostUSD":0.0034}`,
}

func TestParserUsageEntries(t *testing.T) {
	var p Parser
	var usage []wire.Usage
	var costs []wire.Cost
	for _, l := range usageLines {
		for _, e := range p.Line([]byte(l)) {
			switch {
			case e.Kind != wire.EntryUsage:
			case e.Usage != nil:
				usage = append(usage, *e.Usage)
			case e.Cost != nil:
				costs = append(costs, *e.Cost)
			}
		}
	}
	// msg_1 twice (its output count grew), its exact repeat not at all, msg_2 once.
	if len(usage) != 3 {
		t.Fatalf("usage entries = %+v, want 3", usage)
	}
	if u := usage[0]; u.MsgID != "msg_1" || u.Window != 1_000_000 || u.Input != 111 || u.CacheRead != 4444 {
		t.Errorf("first = %+v", u)
	}
	last := usage[2]
	want := wire.TokenCounts{Input: 118, Output: 30, CacheCreation: 333, CacheRead: 4444}
	if last.MsgID != "msg_2" || last.Turn == nil || *last.Turn != want {
		t.Errorf("last = %+v turn %+v, want the turn's sum %+v", last, last.Turn, want)
	}
	if len(costs) != 1 || costs[0] != (wire.Cost{Conversation: "conv-1", TotalUSD: 0.0034}) {
		t.Errorf("costs = %+v", costs)
	}
	// A new prompt starts a new turn.
	p.Line([]byte(usageLines[0]))
	es := p.Line([]byte(usageLines[4]))
	if len(es) != 2 || es[1].Usage.Turn.Input != 7 {
		t.Errorf("after a new prompt: %+v", es)
	}
}
