package db

import (
	"testing"
	"time"

	"github.com/ct-dev/ct/wire"
)

// usageEvent is a usage entry of call id at minute m after t0.
func usageEvent(t *testing.T, sid string, seq uint64, m int, u wire.Usage) wire.Envelope {
	t.Helper()
	return payload(t, wire.TypeTranscriptEntry, sid, seq, wire.TranscriptEntry{
		Kind: wire.EntryUsage, TS: t0.Add(time.Duration(m) * time.Minute), Usage: &u})
}

func costEvent(t *testing.T, sid string, seq uint64, conv string, usd float64) wire.Envelope {
	t.Helper()
	return payload(t, wire.TypeTranscriptEntry, sid, seq, wire.TranscriptEntry{
		Kind: wire.EntryUsage, TS: t0.Add(time.Hour), Cost: &wire.Cost{Conversation: conv, TotalUSD: usd}})
}

func TestTokenUsageSumsEachCallOnce(t *testing.T) {
	dir := t.TempDir()
	s := openStore(t, dir)
	if err := s.PutNode(Node{Name: "box", User: "mike"}); err != nil {
		t.Fatal(err)
	}
	newSession(t, s, "sess-u1")
	a := wire.Usage{MsgID: "msg_a", Model: "claude-x", Input: 100, Output: 1, CacheCreation: 300, CacheRead: 4000}
	aFinal := a
	aFinal.Output = 20 // the call's last block carries the final output count
	b := wire.Usage{MsgID: "msg_b", Model: "claude-y", Input: 7, Output: 8, CacheCreation: 9, CacheRead: 10}
	old := wire.Usage{MsgID: "msg_old", Input: 1000, Output: 1000}
	batch := []wire.Envelope{
		usageEvent(t, "sess-u1", 1, -5, old), // an earlier run's call, read again on resume
		costEvent(t, "sess-u1", 2, "conv1", 0.50),
		usageEvent(t, "sess-u1", 3, 1, a),
		usageEvent(t, "sess-u1", 4, 1, aFinal),
		usageEvent(t, "sess-u1", 5, 2, b),
		costEvent(t, "sess-u1", 6, "conv1", 0.75),
	}
	if _, err := s.AppendEvents(batch); err != nil {
		t.Fatal(err)
	}
	// The wrap's tail starts over (a new wrap on the same file): every line
	// comes again with new seqs. Nothing is counted twice.
	again := []wire.Envelope{
		usageEvent(t, "sess-u1", 7, 1, aFinal),
		usageEvent(t, "sess-u1", 8, 2, b),
		costEvent(t, "sess-u1", 9, "conv1", 0.75),
	}
	if _, err := s.AppendEvents(again); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s = openStore(t, dir) // persisted, not recomputed
	ss, err := s.GetSession("sess-u1")
	if err != nil || ss.Tokens == nil {
		t.Fatalf("session %+v, %v", ss, err)
	}
	got := *ss.Tokens
	want := wire.TokenCounts{Input: 107, Output: 28, CacheCreation: 309, CacheRead: 4010}
	if got.TokenCounts != want || got.Calls != 2 {
		t.Errorf("tokens = %+v (calls %d), want %+v over 2 calls", got.TokenCounts, got.Calls, want)
	}
	if got.Model != "claude-y" || got.Context != 7+8+9+10 {
		t.Errorf("model %q context %d, want the last call's", got.Model, got.Context)
	}
	if usd, ok := got.CostUSD(); !ok || usd < 0.2499 || usd > 0.2501 {
		t.Errorf("cost = %v %v, want 0.25 (0.75 reported less the 0.50 of the earlier run)", usd, ok)
	}
	days, err := s.UsageOfDay(t0.Format(time.DateOnly))
	if err != nil || len(days) != 2 {
		t.Fatalf("days = %+v, %v", days, err)
	}
	for i, k := range []string{DayPerson, DayMachine} {
		d := days[i]
		if d.Kind != k || d.TokenCounts != want || d.Calls != 2 {
			t.Errorf("day %d = %+v, want %s with %+v", i, d, k, want)
		}
	}
	if days[0].Name != "mike" || days[1].Name != "box" {
		t.Errorf("day names %q %q, want mike and box", days[0].Name, days[1].Name)
	}
}
