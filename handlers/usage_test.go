package handlers

import (
	"testing"

	"github.com/ct-dev/ct/db"
	"github.com/ct-dev/ct/wire"
)

func TestUsageView(t *testing.T) {
	if usageView(nil) != nil || usageView(&db.TokenUsage{}) != nil {
		t.Error("no usage must show nothing")
	}
	known := &db.TokenUsage{TokenCounts: wire.TokenCounts{Input: 1500, Output: 90, CacheCreation: 5700, CacheRead: 45000},
		Calls: 2, Model: "claude-sonnet-4-5", Context: 50_000}
	v := usageView(known)
	if v.Tokens != "1,500 in · 90 out · cache 45k read, 5,700 written" {
		t.Errorf("tokens = %q", v.Tokens)
	}
	if v.ContextText != "context 50k of 200k (25%)" || v.Cost != "" {
		t.Errorf("context %q cost %q: a known window, no cost reported", v.ContextText, v.Cost)
	}
	unknown := *known
	unknown.Model = "claude-opus-5-5"
	if v := usageView(&unknown); v.ContextText != "context 50k" {
		t.Errorf("an unknown model's context = %q, want the used tokens alone", v.ContextText)
	}
	declared := unknown
	declared.Window = 1_000_000
	declared.Costs = map[string]db.CostMark{"c": {Base: 0.5, Latest: 0.75}}
	if v := usageView(&declared); v.ContextText != "context 50k of 1M (5%)" || v.Cost != "$0.2500" {
		t.Errorf("declared window and reported cost: %q %q", v.ContextText, v.Cost)
	}
}
