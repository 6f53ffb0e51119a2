package hub

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/ct-dev/ct/db"
	"github.com/ct-dev/ct/wire"
)

// fakeBridge plays claudehook.Bridge for prompt.decide: the first answer to
// each question is applied (and echoed), later ones are refused as settled.
type fakeBridge struct {
	mu      sync.Mutex
	applied map[string]wire.PromptDecide // wrap prompt id -> what the agent was told
}

func (b *fakeBridge) run(tr *fakeTransport) {
	for {
		var e wire.Envelope
		select {
		case e = <-tr.fromHub:
		case <-tr.closed:
			return
		}
		if e.Type != wire.TypePromptDecide {
			continue
		}
		var d wire.PromptDecide
		if e.Decode(&d) != nil {
			continue
		}
		b.mu.Lock()
		_, done := b.applied[d.ID]
		res := wire.PromptResult{ID: d.ID, Ref: d.Ref, Accepted: !done}
		if done {
			res.Reason = "already settled: hub"
		} else {
			b.applied[d.ID] = d
			res.Decision, res.Scope, res.Message, res.By = d.Decision, d.Scope, d.Message, d.By
		}
		b.mu.Unlock()
		r, _ := wire.New(wire.TypePromptResult, res)
		select {
		case tr.toHub <- r:
		case <-tr.closed:
			return
		}
	}
}

// TestConcurrentDecisionsRecordWhatTheAgentGot is the attack of two people
// answering one prompt at the same moment, one allow and one deny: what the
// hub records must be exactly what the wrap applied, every time, and only
// one of the two may be told it won.
func TestConcurrentDecisionsRecordWhatTheAgentGot(t *testing.T) {
	th := newTestHub(t)
	const sid = "sess-race"
	tr, done, _ := th.connect(t, sid)
	b := &fakeBridge{applied: map[string]wire.PromptDecide{}}
	go b.run(tr)
	for i := range 50 {
		wrapID := fmt.Sprintf("q-%d", i)
		marker := fmt.Sprintf("race-%d-cmd", i)
		tr.toHub <- envelope(t, wire.TypePromptOpen, wire.PromptOpen{ID: wrapID, Kind: "hook", Tool: "Bash", Input: []byte(`{"command":"` + marker + `"}`)})
		p := th.waitPendingPrompt(t, marker)
		answers := []Decision{
			{Decision: wire.DecisionAllow, By: "alice from desktop", Device: "desktop"},
			{Decision: wire.DecisionDeny, By: "bob from phone", Device: "phone"},
		}
		errs := make([]error, len(answers))
		start := make(chan struct{})
		var wg sync.WaitGroup
		for j, d := range answers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				_, errs[j] = th.Decide(context.Background(), p.ID, d)
			}()
		}
		close(start)
		wg.Wait()
		got, err := th.store.GetPrompt(p.ID)
		if err != nil {
			t.Fatal(err)
		}
		b.mu.Lock()
		told, ok := b.applied[wrapID]
		b.mu.Unlock()
		if !ok {
			t.Fatalf("try %d: neither answer reached the agent (errors %v)", i, errs)
		}
		if got.Decision != told.Decision || got.DecidedBy != told.By {
			t.Fatalf("try %d: the hub recorded %q by %q, the agent was told %q by %q", i, got.Decision, got.DecidedBy, told.Decision, told.By)
		}
		if want := map[string]string{wire.DecisionAllow: db.PromptAllowed, wire.DecisionDeny: db.PromptDenied}[told.Decision]; got.State != want {
			t.Fatalf("try %d: state %s, want %s", i, got.State, want)
		}
		wins := 0
		for j, err := range errs {
			switch {
			case err == nil:
				wins++
				if answers[j].By != told.By {
					t.Fatalf("try %d: %s was told it won, the agent got %s's answer", i, answers[j].By, told.By)
				}
			case !errors.Is(err, ErrSettled) && !errors.Is(err, ErrBeingAnswered):
				t.Fatalf("try %d: the losing answer got %v, want settled or being answered", i, err)
			}
		}
		if wins != 1 {
			t.Fatalf("try %d: %d answers were told they won (errors %v)", i, wins, errs)
		}
	}
	finish(t, tr, done)
}
