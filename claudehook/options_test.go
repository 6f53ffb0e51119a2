package claudehook

import (
	"strings"
	"testing"

	"github.com/ct-dev/ct/wire"
)

// With KeyReleases (Codex: no dialog while the hook waits) a key at the
// terminal ends the hook at once with no decision, never reaches the
// program, and tells the hub the terminal took the question; a terminal's
// own reply to a query releases nothing; with nothing open keys pass.
func TestKeyReleasesHandsTheQuestionToTheTerminal(t *testing.T) {
	tb := newTestBridgeWith(t, Options{Agent: wire.AgentCodex, Name: "Codex", KeyReleases: true})
	if got := tb.b.LocalInput([]byte("y")); string(got) != "y" {
		t.Fatalf("with no question open LocalInput = %q, want the key passed", got)
	}
	po, out := tb.ask(bash("touch x"))
	if po.Agent != wire.AgentCodex {
		t.Fatalf("prompt.open declares agent %q, want codex", po.Agent)
	}
	if got := tb.b.LocalInput([]byte("\x1b[12;1R")); string(got) != "\x1b[12;1R" {
		t.Fatalf("a cursor report = %q, want it passed", got)
	}
	select {
	case got := <-out:
		t.Fatalf("a terminal reply released the hook (%q)", got)
	default:
	}
	if got := tb.b.LocalInput([]byte("x")); got != nil {
		t.Fatalf("the key that took the question = %q, want it swallowed", got)
	}
	if got := <-out; got != "" {
		t.Fatalf("hook output %q, want no decision", got)
	}
	var pc wire.PromptClosed
	_ = tb.next(wire.TypePromptClosed).Decode(&pc)
	if pc.ID != po.ID || pc.By != "terminal" || !strings.Contains(pc.Detail, "Codex's own dialog") {
		t.Fatalf("prompt.closed = %+v", pc)
	}
	if r := tb.decide(wire.PromptDecide{ID: po.ID, Decision: wire.DecisionAllow, By: "mike"}); r.Accepted {
		t.Fatalf("the hub's late answer won: %+v", r)
	}
	if got := tb.b.LocalInput([]byte("y")); string(got) != "y" {
		t.Fatalf("the next key (Codex's dialog's) = %q, want it passed", got)
	}
}

// "Allow for this session" for Codex is ct's own session rule: the same
// command again is allowed by the wrap (recorded on the hub), with no
// updatedPermissions in any answer (Codex refuses them).
func TestCodexSessionRuleAllowsTheSameCommand(t *testing.T) {
	tb := newTestBridgeWith(t, Options{Agent: wire.AgentCodex, Name: "Codex", KeyReleases: true})
	po, out := tb.ask(map[string]any{"tool_name": "Bash", "tool_input": map[string]any{"command": "make test", "description": "Run the tests"}})
	if r := tb.decide(wire.PromptDecide{ID: po.ID, Decision: wire.DecisionAllow, Scope: "session", By: "mike"}); !r.Accepted {
		t.Fatalf("allow for the session refused: %+v", r)
	}
	if got := <-out; !strings.Contains(got, `"allow"`) || strings.Contains(got, "updatedPermissions") {
		t.Fatalf("hook output %q, want a plain allow", got)
	}
	again, out2 := tb.ask(map[string]any{"tool_name": "Bash", "tool_input": map[string]any{"command": "make test", "description": "Run them again"}})
	if again.RuleBy != "mike" {
		t.Fatalf("second ask = %+v, want it answered by mike's session rule", again)
	}
	if got := <-out2; !strings.Contains(got, `"allow"`) || strings.Contains(got, "updatedPermissions") {
		t.Fatalf("second hook output %q, want the rule's plain allow", got)
	}
}

// SessionScope marks an "allow for this session" reply with its scope; a
// plain reply (Claude Code's, Codex's hooks) never carries it.
func TestWithSessionScope(t *testing.T) {
	q := &question{tool: "Bash"}
	reply, err := decisionJSON(wire.PromptDecide{Decision: wire.DecisionAllow, Scope: "session"}, q)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(reply), "scope") {
		t.Fatalf("a plain reply carries the scope: %s", reply)
	}
	got := string(withSessionScope(reply))
	if !strings.Contains(got, `"decision":{"behavior":"allow","scope":"session"}`) || !strings.Contains(got, `"hookEventName":"PermissionRequest"`) {
		t.Fatalf("scoped reply = %s", got)
	}
}
