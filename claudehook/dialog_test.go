package claudehook

import (
	"strings"
	"testing"

	"github.com/ct-dev/ct/wire"
)

// bashDialog is Claude Code 2.1.332's permission dialog for cmd, as drawn.
func bashDialog(cmd string) string {
	return strings.Join([]string{
		"❯ make the proof", "", "● Creating the proof file", "  ⎿  $ " + cmd, "",
		"────────────────────────────", " Bash command", " Create the proof file",
		"╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌", " " + cmd, "╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌",
		" Do you want to proceed?", " ❯ 1. Yes", "   2. Yes, and always allow access to /tmp from this project",
		"   3. Yes, and switch to auto mode", "   4. No", "", " Esc to cancel · Tab to amend",
	}, "\r\n")
}

// draw puts text on the bridge's view of the screen, as Claude Code would.
func (tb *testBridge) draw(text string) {
	tb.b.Output([]byte("\x1b[2J\x1b[H" + text))
}

// typed passes p through the bridge's input filter and returns what the
// program gets.
func (tb *testBridge) typed(p string) string { return string(tb.b.LocalInput([]byte(p))) }

// stillOpen fails unless the question id is still open on the wrap.
func (tb *testBridge) stillOpen(id string) {
	tb.t.Helper()
	tb.b.mu.Lock()
	_, ok := tb.b.open[id]
	tb.b.mu.Unlock()
	if !ok {
		tb.t.Fatalf("question %s was settled", id)
	}
	select {
	case e := <-tb.sent:
		tb.t.Fatalf("sent %s %s; nothing should have been", e.Type, e.Payload)
	default:
	}
}

func TestFindDialogReadsOptions(t *testing.T) {
	d := findDialog(strings.ReplaceAll(bashDialog("echo hi"), "\r", ""))
	if d.options != 4 || !strings.Contains(d.text, "echohi") {
		t.Fatalf("dialog = %+v", d)
	}
	plan := "Here is the plan:\n 1. Write proof.txt\n 2. Say it is done\n\n❯ 1. Yes, and use auto mode\n  2. Yes, manually approve edits\n  3. Tell Claude what to change\n"
	if d := findDialog(plan); d.options != 3 {
		t.Fatalf("plan dialog options = %d, want 3", d.options)
	}
	if d := findDialog("❯ run the unit tests\n 1. Write proof.txt\n"); d.options != 0 {
		t.Fatalf("no dialog on screen, found %+v", d)
	}
}

// Keys the dialog does not take (y, n, a digit past its options, Ctrl-C),
// and any key before the dialog is drawn, leave the question open; a key it
// takes settles it as answered at the terminal.
func TestOnlyKeysTheDialogTakesSettle(t *testing.T) {
	tb := newTestBridge(t)
	tb.b.dlg.settles = 0
	po, out := tb.ask(bash("echo hi"))
	for _, k := range []string{"1", "\r", "\x1b", "y"} {
		if got := tb.typed(k); got != k {
			t.Fatalf("key %q before the dialog reached Claude as %q", k, got)
		}
		tb.stillOpen(po.ID) // not drawn yet: Claude Code has no dialog to answer
	}
	tb.draw(bashDialog("echo hi"))
	for _, k := range []string{"y", "n", "9", "5", "\x03", "\t", "\x1b[B"} {
		if got := tb.typed(k); got != k {
			t.Fatalf("key %q reached Claude as %q", k, got)
		}
		tb.stillOpen(po.ID)
	}
	if got := tb.typed("4"); got != "4" {
		t.Fatalf("4 reached Claude as %q", got)
	}
	var pc wire.PromptClosed
	if err := tb.next(wire.TypePromptClosed).Decode(&pc); err != nil || pc.ID != po.ID || pc.By != "terminal" {
		t.Fatalf("closed %+v, %v", pc, err)
	}
	if got := <-out; got != "" {
		t.Fatalf("the hook decided %q; the terminal's answer must stand", got)
	}
}

// With two questions open, a key settles only the one whose dialog is on
// screen; the subagent's stays open for the phone.
func TestTerminalKeySettlesOnlyTheDialogShown(t *testing.T) {
	tb := newTestBridge(t)
	tb.b.dlg.settles = 0
	main, _ := tb.ask(bash("echo main"))
	req := bash("make test")
	req["agent_id"] = "a1"
	sub, _ := tb.ask(req)
	tb.draw(bashDialog("echo main"))
	tb.typed("1")
	var pc wire.PromptClosed
	_ = tb.next(wire.TypePromptClosed).Decode(&pc)
	if pc.ID != main.ID {
		t.Fatalf("closed %s, want the main thread's %s", pc.ID, main.ID)
	}
	tb.stillOpen(sub.ID)
	if r := tb.decide(wire.PromptDecide{ID: sub.ID, Decision: wire.DecisionAllow, By: "mike"}); !r.Accepted {
		t.Fatalf("the subagent's question was refused: %+v", r)
	}
}

// After a hub answer, typing at the prompt is never eaten: only keys the
// answered dialog would take, while it is still on screen, are held back.
func TestTypingAfterHubAnswerPasses(t *testing.T) {
	tb := newTestBridge(t)
	tb.b.dlg.settles = 0
	po, out := tb.ask(bash("echo hi"))
	tb.draw(bashDialog("echo hi"))
	if r := tb.decide(wire.PromptDecide{ID: po.ID, Decision: wire.DecisionAllow, By: "mike"}); !r.Accepted {
		t.Fatalf("refused: %+v", r)
	}
	<-out
	if got := tb.typed("1"); got != "" {
		t.Fatalf("1 reached the answered dialog as %q", got)
	}
	if got := tb.typed("x"); got != "x" {
		t.Fatalf("x typed at the dialog became %q", got)
	}
	tb.draw("❯ \r\n  ⏸ manual mode on · ? for shortcuts") // Claude took the answer
	for _, s := range []string{"r", "u", "n", " the ", "u", "n", "it tests", "\r"} {
		if got := tb.typed(s); got != s {
			t.Fatalf("typed %q reached Claude as %q", s, got)
		}
	}
	// A deny: Claude sends no PostToolUse, and typing still passes once the
	// dialog is gone.
	po, out = tb.ask(bash("echo again"))
	tb.draw(bashDialog("echo again"))
	tb.decide(wire.PromptDecide{ID: po.ID, Decision: wire.DecisionDeny, By: "mike"})
	<-out
	tb.draw("  ⎿  Denied by PermissionRequest hook\r\n❯ ")
	if got := tb.typed("n"); got != "n" {
		t.Fatalf("n after a deny became %q", got)
	}
	if got := tb.typed("1"); got != "1" {
		t.Fatalf("1 after a deny, with no dialog, became %q", got)
	}
}

// A refusal at the terminal (Esc, or the dialog's "No") is told apart from
// an approval there: Claude Code then interrupts the turn and waits for its
// person, with no hook event to say so.
func TestTerminalRefusalIsReported(t *testing.T) {
	for key, want := range map[string]string{
		"\x1b": "refused at the terminal", "4": "refused at the terminal",
		"1": "answered at the terminal", "\r": "answered at the terminal",
	} {
		tb := newTestBridge(t)
		tb.b.dlg.settles = 0
		tb.ask(bash("echo hi"))
		tb.draw(bashDialog("echo hi"))
		tb.typed(key)
		var pc wire.PromptClosed
		if err := tb.next(wire.TypePromptClosed).Decode(&pc); err != nil || pc.Detail != want {
			t.Errorf("key %q: closed %+v, want detail %q", key, pc, want)
		}
	}
}

// "Allow for this session" is a ct rule in the wrap: the same request again
// is allowed at once (the hub only records it, naming who set the rule), a
// different one is asked; the answer carries no updatedPermissions, which
// Claude Code would not apply to the next call anyway.
func TestSessionRuleAllowsTheSameRequest(t *testing.T) {
	tb := newTestBridge(t)
	po, out := tb.ask(bash("git status"))
	if r := tb.decide(wire.PromptDecide{ID: po.ID, Decision: wire.DecisionAllow, Scope: "session", By: "mike"}); !r.Accepted {
		t.Fatalf("refused: %+v", r)
	}
	if got := <-out; !strings.Contains(got, `"allow"`) || strings.Contains(got, "updatedPermissions") {
		t.Fatalf("hook output %q", got)
	}
	again := bash("git status")
	again["tool_input"] = map[string]any{"command": "git status", "description": "another description"}
	po2, out2 := tb.ask(again)
	if po2.RuleBy != "mike" {
		t.Fatalf("the same command was asked again: %+v", po2)
	}
	if got := <-out2; !strings.Contains(got, `"allow"`) {
		t.Fatalf("hook output for the ruled request %q", got)
	}
	po3, _ := tb.ask(bash("git push"))
	if po3.RuleBy != "" {
		t.Fatalf("a different command was allowed by the rule: %+v", po3)
	}
	tb.stillOpen(po3.ID)
}
