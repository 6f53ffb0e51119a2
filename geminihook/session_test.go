package geminihook

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/ct-dev/ct/wire"
)

// showDialog draws the dialog the real CLI drew (screenrule's testdata).
func (tb testBridge) showDialog(t *testing.T) {
	t.Helper()
	raw, err := os.ReadFile("../screenrule/testdata/gemini-dialog.txt")
	if err != nil {
		t.Fatal(err)
	}
	tb.Output([]byte("\x1b[2J\x1b[H" + strings.ReplaceAll(strings.TrimRight(string(raw), "\n"), "\n", "\r\n")))
}

// A hub "allow for this session" types 2 (Gemini's "Allow for this
// session") only once the dialog is on screen, reports the session scope,
// and from then on a command with the same program does not wait for the
// hub (Gemini runs it without asking) while another program still does.
func TestAllowForSessionTypesTwo(t *testing.T) {
	tb := newTestBridge(t)
	q, ok := tb.openQuestion(json.RawMessage(`{"tool_name":"run_shell_command","tool_input":{"command":"echo gemini-ran > proof.txt"}}`))
	if !ok {
		t.Fatal("question not opened")
	}
	tb.next(t, wire.TypePromptOpen)
	allow, _ := wire.New(wire.TypePromptDecide, wire.PromptDecide{ID: q.id, Decision: wire.DecisionAllow, Scope: "session", By: "ann"})
	tb.HubEnvelope(allow)
	<-q.done
	select {
	case p := <-tb.typed:
		t.Fatalf("typed %q before the dialog", p)
	default:
	}
	if _, ok := tb.openQuestion(json.RawMessage(`{"tool_name":"run_shell_command","tool_input":{"command":"echo again"}}`)); !ok {
		t.Fatal("before Gemini's choice was typed, a second echo did not ask")
	} else {
		tb.next(t, wire.TypePromptOpen)
	}
	tb.showDialog(t)
	if p := <-tb.typed; string(p) != "2" {
		t.Fatalf("typed %q, want 2", p)
	}
	var r wire.PromptResult
	_ = tb.next(t, wire.TypePromptResult).Decode(&r)
	if !r.Accepted || r.Scope != "session" {
		t.Fatalf("result = %+v", r)
	}
	if _, ok := tb.openQuestion(json.RawMessage(`{"tool_name":"run_shell_command","tool_input":{"command":"echo more > x.txt && echo b"}}`)); ok {
		t.Error("an echo after the session allow waited for the hub")
	}
	if _, ok := tb.openQuestion(json.RawMessage(`{"tool_name":"run_shell_command","tool_input":{"command":"echo a && rm -rf b"}}`)); !ok {
		t.Error("rm after an echo session allow did not ask")
	}
}

// What Gemini allows for the session is what ct stops asking for.
func TestAllowSessionScopes(t *testing.T) {
	tt := asking(nil)
	tt.allowSession("replace", "")
	if tt.asksFor("write_file", "") || !tt.asksFor("run_shell_command", "ls") {
		t.Error("an edit allowed for the session should switch to auto-edit only")
	}
	tt.allowSession("web_fetch", "")
	if tt.asksFor("web_fetch", "") {
		t.Error("web_fetch still asks")
	}
	tt.allowSession("run_shell_command", "ls $(whoami)")
	if !tt.asksFor("run_shell_command", "ls") {
		t.Error("a command ct cannot read allowed its program")
	}
	for cmd, want := range map[string]string{"echo a > b.txt": "echo", "git status && go test ./... | tee x": "git,go,tee", "A=1 ls": "", "ls\nrm": "", "(rm x)": ""} {
		if got := strings.Join(shellRoots(cmd), ","); got != want {
			t.Errorf("shellRoots(%q) = %q, want %q", cmd, got, want)
		}
	}
}
