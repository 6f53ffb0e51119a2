package hub

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/ct-dev/ct/db"
	"github.com/ct-dev/ct/screenrule"
	"github.com/ct-dev/ct/wire"
)

// waitPendingPrompt polls the store for a pending prompt whose input
// contains text.
func (th *testHub) waitPendingPrompt(tb testing.TB, text string) db.Prompt {
	tb.Helper()
	deadline := time.Now().Add(waitLimit)
	for {
		ps, err := th.store.Prompts(db.PromptFilter{State: db.PromptPending})
		if err != nil {
			tb.Fatal(err)
		}
		for _, p := range ps {
			if strings.Contains(string(p.Input), text) {
				return p
			}
		}
		if time.Now().After(deadline) {
			tb.Fatalf("no pending prompt for %q after %s (pending: %d)", text, waitLimit, len(ps))
		}
		time.Sleep(20 * time.Millisecond) // polling the store, not synchronising on time
	}
}

// A question answered from the hub whose next question arrives in the same
// output (no screen frame without a question between them) still opens a
// prompt for the next one.
func TestScreenRuleBackToBackQuestions(t *testing.T) {
	th := newTestHub(t)
	tr, done, _ := th.connect(t, "sess-questions")
	tr.toHub <- output(1, "Step 1: delete? [y/N] ")
	first := th.waitPendingPrompt(t, "Step 1")
	if _, err := th.Decide(context.Background(), first.ID, Decision{Decision: wire.DecisionAllow, By: "ann"}); err != nil {
		t.Fatal(err)
	}
	if e := tr.recv(t, wire.TypePtyInput); string(e.Data) != "y\r" {
		t.Fatalf("the answer typed %q, want y and Enter", e.Data)
	}
	tr.toHub <- output(2, "y\r\nStep 2: delete? [y/N] ")
	second := th.waitPendingPrompt(t, "Step 2")
	if second.ID == first.ID {
		t.Fatal("the second question reused the first prompt")
	}
	if p, _ := th.store.GetPrompt(first.ID); p.State != db.PromptAllowed {
		t.Errorf("first prompt is %s, want allowed", p.State)
	}
	finish(t, tr, done)
}

// "Terminal only" holds for screen-rule prompts too: the hub refuses to
// answer them and types nothing into the session.
func TestTerminalOnlyRefusesScreenAnswers(t *testing.T) {
	th := newTestHub(t)
	const sid = "sess-termonly"
	tr, done, _ := th.connect(t, sid)
	if err := th.SetTerminalOnly(sid, true); err != nil {
		t.Fatal(err)
	}
	tr.toHub <- output(1, "Overwrite? [Y/n] ")
	p := th.waitPendingPrompt(t, "Overwrite")
	if _, err := th.Decide(context.Background(), p.ID, Decision{Decision: wire.DecisionAllow, By: "ann"}); !errors.Is(err, ErrTerminalOnly) {
		t.Fatalf("Decide on a terminal-only session = %v, want ErrTerminalOnly", err)
	}
	// The next thing the wrap gets is this probe, not the rule's keys.
	if err := th.Input(sid, []byte("probe")); err != nil {
		t.Fatal(err)
	}
	if e := tr.recv(t, wire.TypePtyInput); string(e.Data) != "probe" {
		t.Fatalf("the hub typed %q into a terminal-only session", e.Data)
	}
	if cur, _ := th.store.GetPrompt(p.ID); cur.State != db.PromptPending {
		t.Fatalf("prompt is %s, want still pending for the terminal", cur.State)
	}
	finish(t, tr, done)
}

// Issue 15, finding 9: a "(yes/no)" question was answered "n": the "(y/n)"
// rule matched it first. It wants the word.
func TestYesNoQuestionTakesTheWord(t *testing.T) {
	for line, want := range map[string]string{
		"Are you sure you want to continue connecting (yes/no/[fingerprint])? ": "yes\r",
		"Proceed (yes/no)? ": "yes\r",
		"Overwrite? (y/n) ":  "y\r",
		"Install? [Y/n] ":    "y\r",
	} {
		var got string
		if m, ok := screenrule.Find(DefaultScreenRules(), screenrule.View{Rows: []string{line}}); ok {
			got = m.Rule.Yes.Keys
		}
		if got != want {
			t.Errorf("%q: yes types %q, want %q", line, got, want)
		}
	}
}

// Issue 16 item 3: a whole dialog an agent draws (Gemini's, as its real CLI
// drew it) becomes a prompt naming its command; Approve types the key its
// highlighted "Allow once" takes (Enter).
func TestScreenRuleSeesGeminiDialog(t *testing.T) {
	raw, err := os.ReadFile("../screenrule/testdata/gemini-dialog.txt")
	if err != nil {
		t.Fatal(err)
	}
	th := newTestHub(t)
	tr, done, _ := th.connect(t, "sess-gemini-dialog")
	resize := envelope(t, wire.TypePtyResize, wire.Resize{Cols: 120, Rows: 40}) // as captured
	resize.Seq = 1
	tr.toHub <- resize
	tr.toHub <- output(2, strings.ReplaceAll(strings.TrimRight(string(raw), "\n"), "\n", "\r\n"))
	p := th.waitPendingPrompt(t, "echo gemini-ran")
	if !strings.Contains(string(p.Input), `"rule":"Gemini dialog"`) || !strings.Contains(string(p.Input), `"yes":"Enter"`) {
		t.Errorf("prompt input %s, want the Gemini rule and Enter", p.Input)
	}
	if _, err := th.Decide(context.Background(), p.ID, Decision{Decision: wire.DecisionAllow, By: "ann"}); err != nil {
		t.Fatal(err)
	}
	if e := tr.recv(t, wire.TypePtyInput); string(e.Data) != "\r" {
		t.Fatalf("the answer typed %q, want Enter", e.Data)
	}
	finish(t, tr, done)
}

// "Press Enter to continue" has one answer: Deny is refused (and types
// nothing), Approve types Enter.
func TestScreenRulePressEnterHasNoDeny(t *testing.T) {
	th := newTestHub(t)
	tr, done, _ := th.connect(t, "sess-press-enter")
	tr.toHub <- output(1, "Installed.\r\nPress Enter to continue...")
	p := th.waitPendingPrompt(t, "Press Enter")
	if _, err := th.Decide(context.Background(), p.ID, Decision{Decision: wire.DecisionDeny, By: "ann"}); !errors.Is(err, ErrNoSuchAnswer) {
		t.Fatalf("deny: %v, want ErrNoSuchAnswer", err)
	}
	if _, err := th.Decide(context.Background(), p.ID, Decision{Decision: wire.DecisionAllow, By: "ann"}); err != nil {
		t.Fatal(err)
	}
	if e := tr.recv(t, wire.TypePtyInput); string(e.Data) != "\r" {
		t.Fatalf("the answer typed %q, want Enter", e.Data)
	}
	finish(t, tr, done)
}
