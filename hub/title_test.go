package hub

import (
	"testing"

	"github.com/ct-dev/ct/wire"
)

// Claude's first prompt (UserPromptSubmit) titles an untitled session;
// later prompts do not retitle it, and a person's title stays.
func TestFirstPromptTitlesSession(t *testing.T) {
	th := newTestHub(t)
	const sid = "sess-title"
	tr, done, _ := th.connect(t, sid)
	defer finish(t, tr, done)
	hook := func(prompt string) {
		tr.toHub <- envelope(t, wire.TypeHookEvent, wire.HookEvent{Event: "UserPromptSubmit", Payload: []byte(`{"prompt":` + prompt + `}`)})
	}
	hook(`"\n  Fix the **flaky** login test\nand push it"`)
	hook(`"now something else"`)
	// A prompt opened after the hooks on the same connection: they are done.
	tr.toHub <- envelope(t, wire.TypePromptOpen, wire.PromptOpen{ID: "q1", Kind: "hook", Tool: "Bash", Input: []byte(`{"command":"sync-1"}`)})
	th.waitPendingPrompt(t, "sync-1")
	ss, err := th.store.GetSession(sid)
	if err != nil || ss.Title != "Fix the **flaky** login test" || ss.TitleBy != "first prompt" {
		t.Fatalf("title = %q by %q (%v); want the first prompt's first line", ss.Title, ss.TitleBy, err)
	}
	if _, err := th.SetTitle(sid, "login flake", "ann"); err != nil {
		t.Fatal(err)
	}
	if _, err := th.SetTitle("no-such", "x", "ann"); err != ErrNotFound {
		t.Fatalf("SetTitle of an unknown session: %v; want ErrNotFound", err)
	}
	hook(`"a third prompt"`)
	tr.toHub <- envelope(t, wire.TypePromptOpen, wire.PromptOpen{ID: "q2", Kind: "hook", Tool: "Bash", Input: []byte(`{"command":"sync-2"}`)})
	th.waitPendingPrompt(t, "sync-2")
	if ss, _ := th.store.GetSession(sid); ss.Title != "login flake" {
		t.Fatalf("a prompt replaced the person's title: %q", ss.Title)
	}
}

// SessionStart's session_id is kept as the agent's own session id (the
// latest wins: /clear starts a new one); one that is no plain id is not.
func TestSessionStartRecordsAgentSession(t *testing.T) {
	th := newTestHub(t)
	const sid = "sess-agent-id"
	tr, done, _ := th.connect(t, sid)
	defer finish(t, tr, done)
	start := func(id, sync string) {
		tr.toHub <- envelope(t, wire.TypeHookEvent, wire.HookEvent{Event: "SessionStart", Payload: []byte(`{"session_id":"` + id + `"}`)})
		tr.toHub <- envelope(t, wire.TypeHookEvent, wire.HookEvent{Event: "Stop", Payload: []byte(`{"session_id":"` + id + `"}`)})
		tr.toHub <- envelope(t, wire.TypePromptOpen, wire.PromptOpen{ID: sync, Kind: "hook", Tool: "Bash", Input: []byte(`{"command":"` + sync + `"}`)})
		th.waitPendingPrompt(t, sync)
	}
	start("11111111-2222-3333-4444-555555555555", "s1")
	start("66666666-2222-3333-4444-555555555555", "s2")
	start("--settings", "s3")
	if ss, err := th.store.GetSession(sid); err != nil || ss.AgentSession != "66666666-2222-3333-4444-555555555555" {
		t.Fatalf("agent session = %q (%v); want the latest plain SessionStart id", ss.AgentSession, err)
	}
}
