package hub

import (
	"testing"
	"time"

	"github.com/ct-dev/ct/db"
	"github.com/ct-dev/ct/wire"
)

// TurnEnded is true only after a Stop on the current connection, with no
// question opened since: a Notification (Claude's dialog on screen), an
// open prompt and a reconnect all clear it.
func TestTurnEndedOnlyAfterStop(t *testing.T) {
	th := newTestHub(t)
	const sid = "sess-turns"
	tr, done, _ := th.connect(t, sid)
	hook := func(tr *fakeTransport, ev string) {
		tr.toHub <- envelope(t, wire.TypeHookEvent, wire.HookEvent{Event: ev, Payload: []byte(`{}`)})
	}
	waitTurn := func(want bool) {
		t.Helper()
		deadline := time.Now().Add(waitLimit)
		for th.TurnEnded(sid) != want {
			if time.Now().After(deadline) {
				t.Fatalf("TurnEnded stayed %v", !want)
			}
			time.Sleep(5 * time.Millisecond) // polling the hub, not synchronising on time
		}
	}
	hook(tr, "Stop")
	waitTurn(true)
	hook(tr, "Notification")
	waitTurn(false)
	hook(tr, "Stop")
	waitTurn(true)
	tr.toHub <- envelope(t, wire.TypePromptOpen, wire.PromptOpen{ID: "q1", Kind: "hook", Tool: "Bash", Input: []byte(`{"command":"turn-q1"}`)})
	th.waitPendingPrompt(t, "turn-q1")
	waitTurn(false)
	tr.toHub <- envelope(t, wire.TypePromptClosed, wire.PromptClosed{ID: "q1", By: "terminal"})
	hook(tr, "Stop")
	waitTurn(true)
	// A reconnect forgets it: what is on screen now was not announced here.
	tr2, done2, _ := th.connect(t, sid)
	finish(t, tr, done)
	if th.TurnEnded(sid) {
		t.Fatal("a reconnected session still counts its old Stop")
	}
	hook(tr2, "Stop")
	waitTurn(true)
	finish(t, tr2, done2)
}

// The session waits for its person before the first prompt (SessionStart)
// and after the main thread's question was refused at the terminal (Esc:
// Claude interrupts the turn, and no hook says so), without a push (the
// person is right there); a subagent's refusal, or a compaction's
// SessionStart, does not make it wait.
func TestWaitingInputAtStartAndAfterTerminalRefusal(t *testing.T) {
	th := newTestHub(t)
	const sid = "sess-waiting"
	tr, done, _ := th.connect(t, sid)
	defer finish(t, tr, done)
	hook := func(ev, payload string) {
		tr.toHub <- envelope(t, wire.TypeHookEvent, wire.HookEvent{Event: ev, Payload: []byte(payload)})
	}
	live := db.Session{ID: sid, Status: db.StatusLive}
	waitFor := func(want string) {
		t.Helper()
		deadline := time.Now().Add(waitLimit)
		for th.State(live) != want {
			if time.Now().After(deadline) {
				t.Fatalf("state stayed %s, want %s", th.State(live), want)
			}
			time.Sleep(5 * time.Millisecond) // polling the hub, not synchronising on time
		}
	}
	hook("SessionStart", `{"source":"startup"}`)
	waitFor(StateWaitingInput)
	if th.AgentWaiting(sid) {
		t.Fatal("a session waiting for its first prompt is announced (push)")
	}
	hook("UserPromptSubmit", `{}`)
	waitFor(StateIdle) // no output in this test: not "working"
	hook("SessionStart", `{"source":"compact"}`)
	tr.toHub <- envelope(t, wire.TypePromptOpen, wire.PromptOpen{ID: "s1", Kind: "hook", Tool: "Bash", AgentID: "a1", Input: []byte(`{"command":"sub-q"}`)})
	th.waitPendingPrompt(t, "sub-q")
	tr.toHub <- envelope(t, wire.TypePromptClosed, wire.PromptClosed{ID: "s1", By: "terminal", Detail: "refused at the terminal"})
	tr.toHub <- envelope(t, wire.TypePromptOpen, wire.PromptOpen{ID: "m1", Kind: "hook", Tool: "Bash", Input: []byte(`{"command":"main-q"}`)})
	th.waitPendingPrompt(t, "main-q") // s1's close, before it on the connection, is done
	s := th.loaded(sid)
	s.mu.Lock()
	quiet := s.quietWaiting
	s.mu.Unlock()
	if quiet {
		t.Fatal("a compaction or a subagent's refusal made the session wait for input")
	}
	tr.toHub <- envelope(t, wire.TypePromptClosed, wire.PromptClosed{ID: "m1", By: "terminal", Detail: "refused at the terminal"})
	waitFor(StateWaitingInput)
}
