package handlers

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/ct-dev/ct/db"
	"github.com/ct-dev/ct/wire"
)

func TestTranscriptMarkdownIsSafe(t *testing.T) {
	text := "**bold** <script>alert(1)</script> <img src=x onerror=alert(1)> [x](javascript:alert(1))\n\n| a | b |\n|---|---|\n| 1 | 2 |"
	items := transcriptItems(wire.AgentClaude, []txEntry{{Seq: 1, TranscriptEntry: wire.TranscriptEntry{Kind: wire.EntryAssistant, Text: text}}})
	html := items[0].HTML
	for _, bad := range []string{"<script", "<img", "onerror", "javascript:"} {
		if strings.Contains(strings.ToLower(html), bad) {
			t.Errorf("rendered reply contains %q:\n%s", bad, html)
		}
	}
	for _, good := range []string{"<strong>bold</strong>", "<table>"} {
		if !strings.Contains(html, good) {
			t.Errorf("rendered reply lacks %q:\n%s", good, html)
		}
	}
}

func TestPlaceApprovalAfterItsCall(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	in := json.RawMessage(`{"command": "ls", "description": "list"}`)
	list := []txEntry{
		{Seq: 1, TranscriptEntry: wire.TranscriptEntry{Kind: wire.EntryUser, TS: t0}},
		{Seq: 2, TranscriptEntry: wire.TranscriptEntry{Kind: wire.EntryToolCall, Tool: "Bash", Input: json.RawMessage(`{"description":"list","command":"ls"}`), TS: t0.Add(time.Second)}},
		{Seq: 3, TranscriptEntry: wire.TranscriptEntry{Kind: wire.EntryToolResult, TS: t0.Add(2 * time.Second)}},
	}
	// The hub's clock is behind the workstation's: the match on the call wins over time.
	got := placeApproval(list, txEntry{TranscriptEntry: wire.TranscriptEntry{Kind: wire.EntryApproval, Tool: "Bash", Input: in, TS: t0.Add(-time.Hour)}})
	var kinds []string
	for _, e := range got {
		kinds = append(kinds, e.Kind)
	}
	if k := strings.Join(kinds, ","); k != "user,tool_call,approval,tool_result" {
		t.Fatalf("order = %s", k)
	}
	// No matching call: by time.
	got = placeApproval(list[:1:1], txEntry{TranscriptEntry: wire.TranscriptEntry{Kind: wire.EntryApproval, Tool: "Write", TS: t0.Add(-time.Second)}})
	if got[0].Kind != wire.EntryApproval || len(got) != 2 {
		t.Fatalf("by time: %+v", got)
	}
}

// A subagent's approval, whose tool call is not in the session's
// transcript, shows what it allowed and which agent asked; one right after
// its call does not repeat the input.
func TestApprovalWithoutItsCallShowsInput(t *testing.T) {
	in := json.RawMessage(`{"command":"make test"}`)
	sub := approvalEntry(db.Prompt{ID: "p1", Tool: "Bash", Input: in, State: db.PromptAllowed, DecidedBy: "mike", AgentType: "general-purpose"})
	main := approvalEntry(db.Prompt{ID: "p2", Tool: "Bash", Input: in, State: db.PromptAllowed, DecidedBy: "mike"})
	call := txEntry{Seq: 2, TranscriptEntry: wire.TranscriptEntry{Kind: wire.EntryToolCall, Tool: "Bash", Input: in}}
	items := transcriptItems(wire.AgentClaude, []txEntry{sub, call, main})
	if items[0].Input != "make test" || !strings.Contains(items[0].Label, "from the general-purpose agent") {
		t.Fatalf("subagent approval = %+v", items[0])
	}
	if items[2].Input != "" {
		t.Fatalf("approval after its call repeats the input: %+v", items[2])
	}
}
