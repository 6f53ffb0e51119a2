package hub

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/ct-dev/ct/db"
	"github.com/ct-dev/ct/wire"
)

// waitPromptState polls the store until prompt id is in state.
func (th *testHub) waitPromptState(tb testing.TB, id, state string) db.Prompt {
	tb.Helper()
	deadline := time.Now().Add(waitLimit)
	for {
		p, err := th.store.GetPrompt(id)
		if err == nil && p.State == state {
			return p
		}
		if time.Now().After(deadline) {
			tb.Fatalf("prompt %s is %q after %s, want %q", id, p.State, waitLimit, state)
		}
		time.Sleep(20 * time.Millisecond) // polling the store, not synchronising on time
	}
}

// A blip the hub does not notice: the wrap's side of the connection reset,
// it reconnects (the hub sees a second connection replace the first, not a
// drop) and says it has no question open. The prompt must not stay pending.
func TestReconnectClosesPromptsTheWrapLost(t *testing.T) {
	th := newTestHub(t)
	const sid = "sess-blip"
	tr1, _, _ := th.connect(t, sid)
	tr1.toHub <- envelope(t, wire.TypePromptOpen, wire.PromptOpen{ID: "q1", Kind: "hook", Tool: "Bash", Input: []byte(`{"command":"blip-cmd"}`)})
	p := th.waitPendingPrompt(t, "blip-cmd")
	tr2, done2, _ := th.connect(t, sid)
	tr2.toHub <- envelope(t, wire.TypePromptOpen, wire.PromptOpen{ID: "q2", Kind: "hook", Tool: "Bash", Input: []byte(`{"command":"kept-cmd"}`)})
	kept := th.waitPendingPrompt(t, "kept-cmd")
	tr2.toHub <- envelope(t, wire.TypePromptSync, wire.PromptSync{Open: []string{"q2"}})
	got := th.waitPromptState(t, p.ID, db.PromptClosed)
	if got.ClosedBy != "gone" {
		t.Fatalf("closed by %q (%s)", got.ClosedBy, got.Detail)
	}
	if k, _ := th.store.GetPrompt(kept.ID); k.State != db.PromptPending {
		t.Fatalf("the question the wrap still has open is %s", k.State)
	}
	tr1.close()
	finish(t, tr2, done2)
}

// A refused answer (the wrap no longer has the question) closes the prompt:
// left pending, every later answer is refused too.
func TestRefusedAnswerClosesPrompt(t *testing.T) {
	th := newTestHub(t)
	const sid = "sess-refused"
	tr, done, _ := th.connect(t, sid)
	tr.toHub <- envelope(t, wire.TypePromptOpen, wire.PromptOpen{ID: "q1", Kind: "hook", Tool: "Bash", Input: []byte(`{"command":"gone-cmd"}`)})
	p := th.waitPendingPrompt(t, "gone-cmd")
	go func() {
		var d wire.PromptDecide
		_ = tr.recv(t, wire.TypePromptDecide).Decode(&d)
		tr.toHub <- envelope(t, wire.TypePromptResult, wire.PromptResult{ID: d.ID, Ref: d.Ref, Reason: "this question is no longer open on the workstation"})
	}()
	if _, err := th.Decide(context.Background(), p.ID, Decision{Decision: wire.DecisionAllow, By: "ann"}); !errors.Is(err, ErrSettled) {
		t.Fatalf("Decide = %v, want settled", err)
	}
	if got := th.waitPromptState(t, p.ID, db.PromptClosed); got.Claim != nil {
		t.Fatalf("closed prompt keeps a claim: %+v", got.Claim)
	}
	finish(t, tr, done)
}

// An AskUserQuestion allow without answers, or answers to a Bash prompt,
// is refused before anything reaches the workstation.
func TestAnswersMustFitTheTool(t *testing.T) {
	th := newTestHub(t)
	tr, done, _ := th.connect(t, "sess-fit")
	tr.toHub <- envelope(t, wire.TypePromptOpen, wire.PromptOpen{ID: "a", Kind: "hook", Tool: ToolAskUser, Input: []byte(`{"questions":[{"question":"fit-q"}]}`)})
	tr.toHub <- envelope(t, wire.TypePromptOpen, wire.PromptOpen{ID: "b", Kind: "hook", Tool: "Bash", Input: []byte(`{"command":"fit-cmd"}`)})
	ask, sh := th.waitPendingPrompt(t, "fit-q"), th.waitPendingPrompt(t, "fit-cmd")
	for _, c := range []struct {
		id string
		d  Decision
	}{
		{ask.ID, Decision{Decision: wire.DecisionAllow, By: "ann"}},
		{ask.ID, Decision{Decision: wire.DecisionAllow, Scope: "session", Answers: map[string]string{"fit-q": "x"}, By: "ann"}},
		{sh.ID, Decision{Decision: wire.DecisionAllow, Answers: map[string]string{"q": "x"}, By: "ann"}},
		{sh.ID, Decision{Decision: wire.DecisionAllow, PlanMode: "default", By: "ann"}},
	} {
		if _, err := th.Decide(context.Background(), c.id, c.d); !errors.Is(err, ErrBadAnswer) && c.d.Scope == "" {
			t.Errorf("Decide(%+v) = %v, want a bad answer", c.d, err)
		} else if err == nil {
			t.Errorf("Decide(%+v) was accepted", c.d)
		}
	}
	finish(t, tr, done)
}
