package handlers

import (
	"strings"
	"testing"
	"time"

	"github.com/ct-dev/ct/db"
)

// "after N" counts from when the agent asked on the workstation (AskedAt),
// not from when the hub stored the prompt; a workstation clock ahead of the
// hub's falls back to the hub's time.
func TestOutcomeCountsFromAsked(t *testing.T) {
	created := time.Date(2026, 12, 1, 10, 0, 30, 0, time.UTC)
	p := db.Prompt{State: db.PromptAllowed, DecidedBy: "mike", CreatedAt: created,
		AskedAt: created.Add(-20 * time.Second), DecidedAt: created.Add(10 * time.Second)}
	if got := outcome(p); !strings.HasSuffix(got, "after 30 s") {
		t.Fatalf("outcome = %q, want it to count from the hook's time (30 s)", got)
	}
	p.AskedAt = created.Add(time.Minute) // the workstation's clock is ahead
	if got := outcome(p); !strings.HasSuffix(got, "after 10 s") {
		t.Fatalf("outcome = %q, want the hub's time (10 s) for a clock ahead", got)
	}
}

// The session button says exactly what it does, and a prompt the wrap
// allowed by that rule says so.
func TestSessionLabelAndRuleOutcome(t *testing.T) {
	if got := sessionLabel("Bash", []byte(`{"command":"git status"}`)); got != "Allow `git status` again for this session" {
		t.Fatalf("label = %q", got)
	}
	if got := sessionLabel("Edit", []byte(`{"file_path":"/w/a/main.go"}`)); got != "Allow this same Edit of main.go again for this session" {
		t.Fatalf("label = %q", got)
	}
	// Gemini's choice 2 allows more than the one request, and says so.
	if got := geminiSessionLabel("Bash"); !strings.Contains(got, "same programs") {
		t.Fatalf("Gemini label = %q", got)
	}
	if got := geminiSessionLabel("read_file"); got != "" {
		t.Fatalf("Gemini offers a session allow for a tool that never asks: %q", got)
	}
	p := db.Prompt{State: db.PromptAllowed, Scope: "rule", DecidedBy: "mike"}
	if got := outcome(p); !strings.HasPrefix(got, "Allowed by the session rule mike set") {
		t.Fatalf("outcome = %q", got)
	}
}
