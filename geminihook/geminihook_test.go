package geminihook

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ct-dev/ct/wire"
)

// The overlay home carries ct's hooks in its settings.json, keeps the
// user's settings and hooks, links the rest of ~/.gemini, and never writes
// the user's own settings.json.
func TestPrepareLeavesUserSettingsAlone(t *testing.T) {
	home := t.TempDir()
	real := filepath.Join(home, ".gemini")
	if err := os.MkdirAll(real, 0o700); err != nil {
		t.Fatal(err)
	}
	mine := `{"ui":{"theme":"Dracula"},"hooks":{"BeforeTool":[{"matcher":"*","hooks":[{"type":"command","command":"mine"}]}]}}`
	if err := os.WriteFile(filepath.Join(real, "settings.json"), []byte(mine), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(real, "oauth_creds.json"), []byte("{}"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"HOME": home, "XDG_RUNTIME_DIR": t.TempDir()}
	s, err := Prepare("/opt/ct", func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if b, _ := os.ReadFile(filepath.Join(real, "settings.json")); string(b) != mine {
		t.Fatalf("the user's settings.json changed: %s", b)
	}
	b, err := os.ReadFile(filepath.Join(s.Home, ".gemini", "settings.json"))
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		UI    map[string]any `json:"ui"`
		Hooks map[string][]struct {
			Hooks []struct{ Command string } `json:"hooks"`
		} `json:"hooks"`
	}
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	bt := got.Hooks["BeforeTool"]
	if got.UI["theme"] != "Dracula" || len(bt) != 2 || bt[0].Hooks[0].Command != "mine" || bt[1].Hooks[0].Command != "'/opt/ct' hook BeforeTool" {
		t.Fatalf("overlay settings = %s", b)
	}
	if target, err := os.Readlink(filepath.Join(s.Home, ".gemini", "oauth_creds.json")); err != nil || target != filepath.Join(real, "oauth_creds.json") {
		t.Fatalf("credentials not linked: %q %v", target, err)
	}
	if !strings.Contains(strings.Join(s.Env, " "), HomeEnv+"="+s.Home) {
		t.Fatalf("env = %q", s.Env)
	}
}

func TestAskingTools(t *testing.T) {
	for _, tc := range []struct {
		args []string
		tool string
		want bool
	}{
		{nil, "run_shell_command", true},
		{nil, "read_file", false},
		{nil, "replace", true},
		{[]string{"--approval-mode", "auto_edit"}, "replace", false},
		{[]string{"--approval-mode=auto_edit"}, "run_shell_command", true},
		{[]string{"--yolo"}, "run_shell_command", false},
		{[]string{"--", "--yolo"}, "run_shell_command", true}, // a prompt, not an option
	} {
		if got := asking(tc.args).asks(tc.tool); got != tc.want {
			t.Errorf("%q %s: asks = %v, want %v", tc.args, tc.tool, got, tc.want)
		}
	}
}

// testBridge is a bridge with a hub that records what it was sent and a
// program that records what was typed.
type testBridge struct {
	*Bridge
	sent  chan wire.Envelope
	typed chan []byte
}

func newTestBridge(t *testing.T) testBridge {
	t.Helper()
	dir, err := os.MkdirTemp("", "gh-") // a socket path must stay short
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	b, err := Listen(filepath.Join(dir, "s"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	tb := testBridge{b, make(chan wire.Envelope, 16), make(chan []byte, 16)}
	b.Attach(func(e wire.Envelope) bool { tb.sent <- e; return true })
	b.SetTyper(func(p []byte) bool { tb.typed <- p; return true })
	b.Size(120, 40)
	b.Connected(true)
	<-tb.sent // prompt.sync
	return tb
}

func (tb testBridge) next(t *testing.T, typ string) wire.Envelope {
	t.Helper()
	for {
		select {
		case e := <-tb.sent:
			if e.Type == typ {
				return e
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("no %s sent", typ)
		}
	}
}

// A hub allow is never typed blind: with no dialog on screen nothing is
// typed and the answer is refused; once Gemini's dialog (as the real CLI
// drew it) is on screen, Enter is typed and the answer accepted.
func TestAllowWaitsForTheDialog(t *testing.T) {
	tb := newTestBridge(t)
	payload := json.RawMessage(`{"tool_name":"run_shell_command","tool_input":{"command":"echo gemini-ran > proof.txt"}}`)
	q, ok := tb.openQuestion(payload)
	if !ok {
		t.Fatal("question not opened")
	}
	open := tb.next(t, wire.TypePromptOpen)
	var po wire.PromptOpen
	_ = open.Decode(&po)
	if po.Tool != "Bash" || !strings.Contains(string(po.Input), "echo gemini-ran") || po.Agent != wire.AgentGemini {
		t.Fatalf("prompt.open = %+v", po)
	}
	allow, _ := wire.New(wire.TypePromptDecide, wire.PromptDecide{ID: q.id, Decision: wire.DecisionAllow, By: "ann"})
	tb.HubEnvelope(allow)
	<-q.done
	if q.reply != nil {
		t.Fatalf("an allow answered the hook with %s, want no decision", q.reply)
	}
	tb.Output([]byte("\x1b[2J\x1b[H ✦ thinking…\r\n"))
	select {
	case p := <-tb.typed:
		t.Fatalf("typed %q with no dialog on screen", p)
	default:
	}
	raw, err := os.ReadFile("../screenrule/testdata/gemini-dialog.txt")
	if err != nil {
		t.Fatal(err)
	}
	tb.Output([]byte("\x1b[2J\x1b[H" + strings.ReplaceAll(strings.TrimRight(string(raw), "\n"), "\n", "\r\n")))
	if p := <-tb.typed; string(p) != "\r" {
		t.Fatalf("typed %q, want Enter", p)
	}
	var r wire.PromptResult
	_ = tb.next(t, wire.TypePromptResult).Decode(&r)
	if !r.Accepted || r.Decision != wire.DecisionAllow {
		t.Fatalf("result = %+v", r)
	}
}

// A hub deny is the hook's decision, with the person's message as the reason.
func TestDenyIsTheHooksDecision(t *testing.T) {
	tb := newTestBridge(t)
	q, _ := tb.openQuestion(json.RawMessage(`{"tool_name":"run_shell_command","tool_input":{"command":"rm -rf x"}}`))
	deny, _ := wire.New(wire.TypePromptDecide, wire.PromptDecide{ID: q.id, Decision: wire.DecisionDeny, Message: "not that"})
	tb.HubEnvelope(deny)
	<-q.done
	if string(q.reply) != `{"decision":"deny","reason":"not that"}` {
		t.Fatalf("hook reply = %s", q.reply)
	}
}

// A key at the terminal while the hook waits releases it (Gemini then draws
// its own dialog) and is not passed on to Gemini's composer.
func TestTerminalKeyReleasesTheHook(t *testing.T) {
	tb := newTestBridge(t)
	q, _ := tb.openQuestion(json.RawMessage(`{"tool_name":"run_shell_command","tool_input":{"command":"ls"}}`))
	if got := tb.LocalInput([]byte("y")); got != nil {
		t.Fatalf("the key passed on: %q", got)
	}
	<-q.done
	var c wire.PromptClosed
	_ = tb.next(t, wire.TypePromptClosed).Decode(&c)
	if c.ID != q.id || c.By != "terminal" {
		t.Fatalf("closed = %+v", c)
	}
	if got := tb.LocalInput([]byte("y")); string(got) != "y" {
		t.Fatalf("with nothing waiting the key was %q", got)
	}
}
