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
