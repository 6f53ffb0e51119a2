package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ct-dev/ct/claudetest"
	"github.com/ct-dev/ct/geminitest"
)

// The real Gemini CLI under ct wrap, in tmux, against the fake Gemini API;
// its questions answered from the hub (issue 16 item 2).

const (
	geminiWait    = 90 * time.Second // Gemini starts in 5-20 s here
	geminiDenyMsg = "use printf instead, ct says"
)

// geminiScript runs "echo gemini-<word> > <word>.txt" for the last word of
// the prompt; after a tool's result it replies "done <word>: " and that
// result.
func geminiScript(r geminitest.Request) []geminitest.Part {
	if fr := r.LastFunctionResponse(); fr != "" {
		word := "?"
		if n := len(r.Contents); n >= 2 {
			for _, p := range r.Contents[n-2].Parts {
				if p.FunctionCall != nil {
					cmd, _ := p.FunctionCall.Args["command"].(string)
					word = strings.TrimSuffix(cmd[strings.LastIndexByte(cmd, ' ')+1:], ".txt")
				}
			}
		}
		return []geminitest.Part{{Text: "done " + word + ": " + fr}}
	}
	if len(r.Contents) == 0 {
		return []geminitest.Part{{Text: "nothing asked"}}
	}
	last := r.Contents[len(r.Contents)-1]
	if len(last.Parts) == 0 {
		return []geminitest.Part{{Text: "nothing asked"}}
	}
	words := strings.Fields(last.Parts[len(last.Parts)-1].Text)
	if len(words) == 0 {
		return []geminitest.Part{{Text: "nothing asked"}}
	}
	w := words[len(words)-1]
	return []geminitest.Part{{FunctionCall: &geminitest.FunctionCall{Name: "run_shell_command",
		Args: map[string]any{"command": "echo gemini-" + w + " > " + w + ".txt", "description": "scripted"}}}}
}

// geminiRun is the real Gemini CLI under ct wrap in tmux, against the fake
// API, with a hub.
type geminiRun struct {
	hub     *Hub
	api     *geminitest.FakeAPI
	term    *claudetest.Tmux
	project string
	home    string // Gemini's HOME: its chat recording is under .gemini/tmp
}

// startGemini runs `ct wrap --hub URL -- gemini` and waits for its composer.
func startGemini(t testing.TB) *geminiRun {
	t.Helper()
	bin := geminitest.Binary(t)
	g := &geminiRun{hub: StartHub(t, t.TempDir(), "127.0.0.1:0"), api: geminitest.NewFakeAPI(t, geminiScript), project: t.TempDir(), home: geminitest.Home(t)}
	env := append(geminitest.Env(g.home, g.api.URL), "CT_NAME=geminibox", "CT_TOKEN="+MachineToken(t, g.hub.URL, "geminibox"))
	g.term = claudetest.NewTmux(t, g.project, env, Binary(t), "wrap", "--hub", g.hub.URL, "--", bin)
	g.term.WaitFor("Type your message", geminiWait)
	return g
}

// ask types a prompt into Gemini's composer and submits it: Enter again
// until the model request with text arrives (Gemini reads an Enter right
// after typed text as part of a paste). The screen cannot say it was taken
// (the prompt stays in the history), and an Enter too many would answer
// Gemini's dialog at the terminal.
func (g *geminiRun) ask(t testing.TB, text string) {
	t.Helper()
	g.term.Type(text)
	g.term.WaitFor("> "+text, geminiWait)
	asked := func(r geminitest.Request) bool {
		if len(r.Contents) == 0 {
			return false
		}
		last := r.Contents[len(r.Contents)-1]
		return len(last.Parts) > 0 && strings.Contains(last.Parts[len(last.Parts)-1].Text, text)
	}
	deadline := time.Now().Add(geminiWait)
	for {
		g.term.SendKeys("Enter")
		if _, ok := g.api.WaitRequest(2*time.Second, asked); ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("Gemini never sent %q to the model; screen:\n%s", text, g.term.Capture())
		}
	}
}

// ran reports whether the scripted command for word ran.
func (g *geminiRun) ran(word string) bool {
	_, err := os.Stat(filepath.Join(g.project, word+".txt"))
	return err == nil
}

// approve asks for word's command, checks the hub's prompt, allows it and
// waits for the command to run; it returns the time from the allow to the
// command's file.
func (g *geminiRun) approve(t testing.TB, word string) time.Duration {
	t.Helper()
	g.ask(t, "run "+word)
	p := waitPending(t, g.hub.URL)
	var in struct{ Command string }
	_ = json.Unmarshal(p.Input, &in)
	if want := "echo gemini-" + word + " > " + word + ".txt"; p.Tool != "Bash" || in.Command != want || p.Node != "geminibox" {
		t.Fatalf("prompt = %+v, input %s, want Bash %q", p, p.Input, want)
	}
	start := time.Now()
	if code, body := PostJSON(g.hub.URL+"/api/v1/prompts/"+p.ID+"/decision", map[string]string{"decision": "allow"}); code != 200 {
		t.Fatalf("allow: %d %s; screen:\n%s", code, body, g.term.Capture())
	}
	WaitFor(t, geminiWait, word+".txt", func() bool { return g.ran(word) })
	took := time.Since(start)
	got := waitPrompt(t, g.hub.URL, p.ID, func(p apiPrompt) bool { return p.State == "closed" })
	if got.Decision == nil || *got.Decision != "allow" {
		t.Fatalf("settled prompt = %+v", got)
	}
	g.term.WaitFor("done "+word+":", geminiWait)
	return took
}

// One Gemini session (its start is the slow part): a question approved on
// the hub runs its command, and one denied there does not, and the model
// gets the hub's reason.
func TestGeminiApproveAndDenyFromHub(t *testing.T) {
	g := startGemini(t)
	t.Logf("approval round trip (hub allow to the command's file): %v", g.approve(t, "allowed"))

	// Deny with a message: the hook blocks the call and the model reads why.
	g.ask(t, "run denied")
	p := waitPending(t, g.hub.URL)
	if code, body := PostJSON(g.hub.URL+"/api/v1/prompts/"+p.ID+"/decision", map[string]string{"decision": "deny", "message": geminiDenyMsg}); code != 200 {
		t.Fatalf("deny: %d %s", code, body)
	}
	if _, ok := g.api.WaitRequest(geminiWait, func(r geminitest.Request) bool {
		return strings.Contains(r.LastFunctionResponse(), geminiDenyMsg)
	}); !ok {
		t.Fatalf("the model never got the deny reason; screen:\n%s", g.term.Capture())
	}
	if g.ran("denied") {
		t.Fatal("the denied command ran")
	}
	got := waitPrompt(t, g.hub.URL, p.ID, func(p apiPrompt) bool { return p.State == "closed" })
	if got.Decision == nil || *got.Decision != "deny" {
		t.Fatalf("settled prompt = %+v", got)
	}
	g.term.WaitFor("done denied:", geminiWait)
	g.checkTranscript(t, p.SessionID)
}
