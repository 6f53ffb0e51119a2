package e2e

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// loggedStep is one step of Gemini's chat recording, read here on its own
// (not with geminihook's parser): kind, and the text, command or output.
type loggedStep struct{ Kind, Text string }

// chatRecording reads the session's recording under g.home: each message's
// last copy (Gemini writes a message again as it changes), in the order
// the messages first appeared.
func (g *geminiRun) chatRecording(t *testing.T) []loggedStep {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(g.home, ".gemini", "tmp", "*", "chats", "session-*.jsonl"))
	if len(files) != 1 {
		t.Fatalf("chat recordings %v, want one", files)
	}
	f, err := os.Open(files[0])
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	type call struct {
		Args   struct{ Command string }
		Result []struct {
			FunctionResponse struct {
				Response map[string]any `json:"response"`
			} `json:"functionResponse"`
		}
	}
	type msg struct {
		ID, Type  string
		Content   json.RawMessage
		ToolCalls []call `json:"toolCalls"`
	}
	last := map[string]msg{}
	var order []string
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 4<<20)
	for sc.Scan() {
		var m msg
		if json.Unmarshal(sc.Bytes(), &m) != nil || m.ID == "" {
			continue
		}
		if _, ok := last[m.ID]; !ok {
			order = append(order, m.ID)
		}
		last[m.ID] = m
	}
	var out []loggedStep
	for _, id := range order {
		m := last[id]
		var text string
		if json.Unmarshal(m.Content, &text) != nil {
			var parts []struct{ Text string }
			_ = json.Unmarshal(m.Content, &parts)
			for _, p := range parts {
				text += p.Text
			}
		}
		switch {
		case m.Type == "user" && text != "" && !strings.HasPrefix(text, "<session_context>"):
			out = append(out, loggedStep{"user", text})
		case m.Type == "gemini":
			if text != "" {
				out = append(out, loggedStep{"assistant", text})
			}
			for _, c := range m.ToolCalls {
				out = append(out, loggedStep{"tool_call", c.Args.Command})
				res := ""
				if len(c.Result) > 0 {
					r := c.Result[0].FunctionResponse.Response
					res, _ = r["output"].(string)
					if res == "" {
						res, _ = r["error"].(string)
					}
				}
				out = append(out, loggedStep{"tool_result", res})
			}
		}
	}
	return out
}

// checkTranscript: the transcript the hub shows for the session (its API)
// is Gemini's own recording — each prompt, shell command, its output and
// reply — with the hub's answer placed right after the call it answered.
func (g *geminiRun) checkTranscript(t *testing.T, session string) {
	t.Helper()
	want := "user,tool_call,approval,tool_result,assistant,user,tool_call,approval,tool_result,assistant"
	var got []apiEntry
	WaitFor(t, geminiWait, "both turns in the transcript", func() bool {
		got = transcript(t, g.hub.URL, session)
		return kinds(got) == want
	})
	var steps []apiEntry
	for _, e := range got {
		if e.Kind != "approval" {
			steps = append(steps, e)
		}
	}
	logged := g.chatRecording(t)
	if len(logged) != len(steps) {
		t.Fatalf("the recording has %d steps %+v, the hub %d", len(logged), logged, len(steps))
	}
	for i, l := range logged {
		e := steps[i]
		have := e.Text
		if e.Kind == "tool_call" {
			var in struct{ Command string }
			_ = json.Unmarshal(e.Input, &in)
			have = in.Command
			if e.Tool != "Bash" {
				t.Errorf("step %d tool %q, want Bash", i, e.Tool)
			}
		}
		logText := strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(l.Text), "<untrusted_context>"), "</untrusted_context>"))
		if e.Kind != l.Kind || have != logText {
			t.Errorf("step %d: hub %s %q, recording %s %q", i, e.Kind, have, l.Kind, logText)
		}
	}
	if steps[0].Text != "run allowed" || !strings.HasPrefix(steps[3].Text, "done allowed:") {
		t.Errorf("first turn %+v", steps[:4])
	}
	if !strings.HasPrefix(got[2].Text, "Approved") || !strings.HasPrefix(got[7].Text, "Denied") {
		t.Errorf("approvals %q, %q", got[2].Text, got[7].Text)
	}
	if !strings.Contains(got[8].Text, geminiDenyMsg) {
		t.Errorf("the denied call's result %q lacks the hub's message", got[8].Text)
	}
}

// "Allow for this session" on the hub types Gemini's choice 2 once its
// dialog is on screen: the command runs, the hub records the session
// scope, and the next command of the same program runs with no question
// on the hub (Gemini keeps that rule) — without the wrap's part the second
// command would wait for the hub.
func TestGeminiAllowForSessionFromHub(t *testing.T) {
	g := startGemini(t)
	g.ask(t, "run first")
	p := waitPending(t, g.hub.URL)
	if code, body := PostJSON(g.hub.URL+"/api/v1/prompts/"+p.ID+"/decision", map[string]string{"decision": "allow", "scope": "session"}); code != 200 {
		t.Fatalf("allow for session: %d %s", code, body)
	}
	WaitFor(t, geminiWait, "first.txt", func() bool { return g.ran("first") })
	got := waitPrompt(t, g.hub.URL, p.ID, func(p apiPrompt) bool { return p.State == "closed" })
	if !strings.Contains(got.Outcome, "for this session") {
		t.Fatalf("outcome %q, want an allow for this session", got.Outcome)
	}
	g.term.WaitFor("done first:", geminiWait)
	g.ask(t, "run second")
	WaitFor(t, geminiWait, "second.txt with no question", func() bool { return g.ran("second") })
	if ps := prompts(g.hub.URL, ""); len(ps) != 1 {
		t.Fatalf("the hub has %d prompts, want only the first: %+v", len(ps), ps)
	}
	if scr := g.term.Capture(); strings.Contains(scr, "Allow once") {
		t.Fatalf("Gemini asked again:\n%s", scr)
	}
}
