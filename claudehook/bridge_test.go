package claudehook

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ct-dev/ct/wire"
)

// testBridge is a Bridge on a temp socket whose hub side is a channel.
type testBridge struct {
	t    *testing.T
	b    *Bridge
	sock string
	sent chan wire.Envelope
}

func newTestBridge(t *testing.T) *testBridge {
	t.Helper()
	return newTestBridgeWith(t, Options{})
}

// newTestBridgeWith is newTestBridge for the CLI opts names.
func newTestBridgeWith(t *testing.T, opts Options) *testBridge {
	t.Helper()
	sock := filepath.Join(t.TempDir(), "hook.sock")
	b, err := ListenWith(sock, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	tb := &testBridge{t: t, b: b, sock: sock, sent: make(chan wire.Envelope, 64)}
	b.Attach(func(e wire.Envelope) bool { tb.sent <- e; return true })
	b.Connected(true)
	tb.next(wire.TypePromptSync)
	return tb
}

// next returns the next envelope sent to the hub, which must be of type typ.
func (tb *testBridge) next(typ string) wire.Envelope {
	tb.t.Helper()
	for {
		select {
		case e := <-tb.sent:
			if e.Type == wire.TypeHookEvent && typ != wire.TypeHookEvent {
				continue // the record of an event; not what the test waits for
			}
			if e.Type != typ {
				tb.t.Fatalf("sent %s %s, want %s", e.Type, e.Payload, typ)
			}
			return e
		case <-time.After(5 * time.Second):
			tb.t.Fatalf("nothing of type %s sent", typ)
		}
	}
}

// hook runs `ct hook event` with payload; for PermissionRequest it returns
// a channel with its stdout once it ends.
func (tb *testBridge) hook(event string, payload any) <-chan string {
	raw, _ := json.Marshal(payload)
	out := make(chan string, 1)
	go func() {
		var buf bytes.Buffer
		RunHook(context.Background(), event, bytes.NewReader(raw), &buf, func(k string) string {
			if k == "CT_HOOK_SOCK" {
				return tb.sock
			}
			return ""
		})
		out <- buf.String()
	}()
	return out
}

// ask opens a PermissionRequest and returns the prompt.open sent and the hook's output.
func (tb *testBridge) ask(payload map[string]any) (wire.PromptOpen, <-chan string) {
	tb.t.Helper()
	out := tb.hook("PermissionRequest", payload)
	var po wire.PromptOpen
	if err := tb.next(wire.TypePromptOpen).Decode(&po); err != nil {
		tb.t.Fatal(err)
	}
	return po, out
}

func (tb *testBridge) decide(d wire.PromptDecide) wire.PromptResult {
	tb.t.Helper()
	e, _ := wire.New(wire.TypePromptDecide, d)
	tb.b.HubEnvelope(e)
	var r wire.PromptResult
	_ = tb.next(wire.TypePromptResult).Decode(&r)
	return r
}

func bash(cmd string) map[string]any {
	return map[string]any{"tool_name": "Bash", "tool_input": map[string]any{"command": cmd}, "cwd": "/tmp"}
}

// A background subagent's question stays open when the main thread's turn
// ends (Stop), and the phone's answer still reaches it.
func TestSubagentQuestionOutlivesMainStop(t *testing.T) {
	tb := newTestBridge(t)
	req := bash("make test")
	req["agent_id"], req["agent_type"] = "a123", "general-purpose"
	po, out := tb.ask(req)
	if po.AgentID != "a123" || po.AgentType != "general-purpose" {
		t.Fatalf("prompt.open names agent %q/%q", po.AgentID, po.AgentType)
	}
	tb.hook("Stop", map[string]any{"hook_event_name": "Stop"})
	tb.next(wire.TypeHookEvent)
	tb.hook("PostToolUse", map[string]any{"tool_name": "Bash"}) // the main thread's own tool
	tb.next(wire.TypeHookEvent)
	if r := tb.decide(wire.PromptDecide{ID: po.ID, Decision: wire.DecisionAllow, By: "mike"}); !r.Accepted {
		t.Fatalf("the subagent's question was settled by the main thread's events: %+v", r)
	}
	if got := <-out; !strings.Contains(got, `"allow"`) {
		t.Fatalf("hook output %q", got)
	}
}

// The subagent's own end settles its question.
func TestSubagentStopSettlesItsQuestion(t *testing.T) {
	tb := newTestBridge(t)
	req := bash("make test")
	req["agent_id"] = "a123"
	po, out := tb.ask(req)
	tb.hook("SubagentStop", map[string]any{"agent_id": "a123"})
	var pc wire.PromptClosed
	_ = tb.next(wire.TypePromptClosed).Decode(&pc)
	if pc.ID != po.ID || pc.By != "agent" {
		t.Fatalf("prompt.closed = %+v", pc)
	}
	if got := <-out; got != "" {
		t.Fatalf("a settled hook answered %q", got)
	}
}

// After a reconnect the wrap says which questions are open: none, since
// the drop released them.
func TestReconnectSyncsOpenQuestions(t *testing.T) {
	tb := newTestBridge(t)
	po, out := tb.ask(bash("ls"))
	tb.b.Connected(false)
	if got := <-out; got != "" {
		t.Fatalf("hook answered %q on a drop", got)
	}
	tb.b.Connected(true)
	var ps wire.PromptSync
	_ = tb.next(wire.TypePromptSync).Decode(&ps)
	if len(ps.Open) != 0 {
		t.Fatalf("sync after reconnect = %v, want none (question %s was released)", ps.Open, po.ID)
	}
	po2, _ := tb.ask(bash("ls"))
	tb.b.Connected(true) // a second connect while one is open lists it
	_ = tb.next(wire.TypePromptSync).Decode(&ps)
	if len(ps.Open) != 1 || ps.Open[0] != po2.ID {
		t.Fatalf("sync = %v, want [%s]", ps.Open, po2.ID)
	}
}

// AskUserQuestion's allow carries the tool input with the answers; one
// without answers is refused as invalid and the question stays open.
func TestAskUserQuestionAnswerIsUpdatedInput(t *testing.T) {
	tb := newTestBridge(t)
	in := map[string]any{"questions": []any{map[string]any{"question": "Which?", "header": "H", "multiSelect": false,
		"options": []any{map[string]any{"label": "A", "description": "a"}, map[string]any{"label": "B", "description": "b"}}}}}
	po, out := tb.ask(map[string]any{"tool_name": "AskUserQuestion", "tool_input": in})
	if r := tb.decide(wire.PromptDecide{ID: po.ID, Decision: wire.DecisionAllow}); r.Accepted || !r.Invalid {
		t.Fatalf("a bare allow was %+v; want refused as invalid", r)
	}
	r := tb.decide(wire.PromptDecide{ID: po.ID, Decision: wire.DecisionAllow, Answers: map[string]string{"Which?": "B"}})
	if !r.Accepted || r.Answers["Which?"] != "B" {
		t.Fatalf("result %+v", r)
	}
	var got struct {
		H struct {
			Decision struct {
				Behavior     string         `json:"behavior"`
				UpdatedInput map[string]any `json:"updatedInput"`
			} `json:"decision"`
		} `json:"hookSpecificOutput"`
	}
	if err := json.Unmarshal([]byte(<-out), &got); err != nil {
		t.Fatal(err)
	}
	ans, _ := got.H.Decision.UpdatedInput["answers"].(map[string]any)
	if got.H.Decision.Behavior != "allow" || ans["Which?"] != "B" || got.H.Decision.UpdatedInput["questions"] == nil {
		t.Fatalf("decision %+v", got.H.Decision)
	}
}

// ExitPlanMode's allow carries the plan as updatedInput and the mode.
func TestExitPlanModeAllowCarriesPlan(t *testing.T) {
	tb := newTestBridge(t)
	po, out := tb.ask(map[string]any{"tool_name": "ExitPlanMode", "tool_input": map[string]any{"plan": "# P"}})
	tb.decide(wire.PromptDecide{ID: po.ID, Decision: wire.DecisionAllow, PlanMode: "default"})
	got := <-out
	for _, want := range []string{`"updatedInput":{"plan":"# P"}`, `"mode":"default"`, `"setMode"`} {
		if !strings.Contains(got, want) {
			t.Errorf("decision %s lacks %s", got, want)
		}
	}
}

// Edit with replace_all shows every occurrence changed; Write onto an
// existing file is an overwrite diff against its content.
func TestFileChangeIsWhatClaudeApplies(t *testing.T) {
	dir := t.TempDir()
	f := filepath.Join(dir, "a.txt")
	os.WriteFile(f, []byte("x = 1\ny = 2\nx = 1\nz\nx = 1\n"), 0o644)
	edit, _ := json.Marshal(map[string]any{"file_path": f, "old_string": "x = 1", "new_string": "x = 9", "replace_all": true})
	c := fileChange("Edit", edit, dir)
	if c == nil || c.Label != "Edit file" || strings.Count(c.Diff, "\n-x = 1") != 3 || strings.Count(c.Diff, "\n+x = 9") != 3 {
		t.Fatalf("replace_all change = %+v", c)
	}
	write, _ := json.Marshal(map[string]any{"file_path": f, "content": "new\n"})
	c = fileChange("Write", write, dir)
	if c == nil || c.Label != "Overwrite file" || !strings.Contains(c.Diff, "\n-y = 2") || !strings.Contains(c.Diff, "\n+new") {
		t.Fatalf("overwrite change = %+v", c)
	}
	fresh, _ := json.Marshal(map[string]any{"file_path": "b.txt", "content": "new\n"})
	if c = fileChange("Write", fresh, dir); c == nil || c.Label != "Create file" || !strings.Contains(c.Diff, "@@ -0,0 +1 @@") {
		t.Fatalf("create change = %+v", c)
	}
	// The bridge reads the file when the hook fires and sends the change.
	tb := newTestBridge(t)
	po, _ := tb.ask(map[string]any{"tool_name": "Write", "tool_input": json.RawMessage(write), "cwd": dir})
	if po.Change == nil || po.Change.Label != "Overwrite file" {
		t.Fatalf("prompt.open change = %+v", po.Change)
	}
}
