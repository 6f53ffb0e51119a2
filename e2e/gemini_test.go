package e2e

import (
	"encoding/json"
	"net/http"
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
	geminiAllow   = "echo gemini-allowed > allowed.txt"
	geminiDeny    = "echo gemini-denied > denied.txt"
	geminiDenyMsg = "use printf instead, ct says"
)

// geminiScript asks for geminiDeny when the prompt says "deny", else for
// geminiAllow; after a tool's result it replies with that result.
func geminiScript(r geminitest.Request) []geminitest.Part {
	if fr := r.LastFunctionResponse(); fr != "" {
		return []geminitest.Part{{Text: "tool said: " + fr}}
	}
	cmd := geminiAllow
	if len(r.Contents) == 0 {
		return []geminitest.Part{{Text: "nothing asked"}}
	}
	if last := r.Contents[len(r.Contents)-1]; len(last.Parts) > 0 && strings.Contains(last.Parts[len(last.Parts)-1].Text, "deny") {
		cmd = geminiDeny
	}
	return []geminitest.Part{{FunctionCall: &geminitest.FunctionCall{Name: "run_shell_command",
		Args: map[string]any{"command": cmd, "description": "scripted"}}}}
}

// geminiAsk types a prompt into Gemini's composer and submits it: Enter
// again until the model request with text arrives (Gemini reads an Enter
// right after typed text as part of a paste). The screen cannot say it was
// taken (the prompt stays in the history), and an Enter too many would
// answer Gemini's dialog at the terminal.
func geminiAsk(t *testing.T, term *claudetest.Tmux, api *geminitest.FakeAPI, text string) {
	t.Helper()
	term.Type(text)
	term.WaitFor("> "+text, geminiWait)
	asked := func(r geminitest.Request) bool {
		if len(r.Contents) == 0 {
			return false
		}
		last := r.Contents[len(r.Contents)-1]
		return len(last.Parts) > 0 && strings.Contains(last.Parts[len(last.Parts)-1].Text, text)
	}
	deadline := time.Now().Add(geminiWait)
	for {
		term.SendKeys("Enter")
		if _, ok := api.WaitRequest(2*time.Second, asked); ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("Gemini never sent %q to the model; screen:\n%s", text, term.Capture())
		}
	}
}

// One Gemini session (its start is the slow part): a question approved on
// the hub runs its command, and one denied there does not, and the model
// gets the hub's reason.
func TestGeminiApproveAndDenyFromHub(t *testing.T) {
	bin := geminitest.Binary(t)
	h := StartHub(t, t.TempDir(), "127.0.0.1:0")
	api := geminitest.NewFakeAPI(t, geminiScript)
	project := t.TempDir()
	env := append(geminitest.Env(geminitest.Home(t), api.URL), "CT_NAME=geminibox")
	if resp, err := http.Get(h.URL + "/healthz"); err == nil {
		resp.Body.Close()
		env = append(env, "CT_TOKEN="+MachineToken(t, h.URL, "geminibox"))
	}
	term := claudetest.NewTmux(t, project, env, Binary(t), "wrap", "--hub", h.URL, "--", bin)
	term.WaitFor("Type your message", geminiWait)

	// Approve: the hub shows the command; its allow answers Gemini's dialog.
	geminiAsk(t, term, api, "run the allowed one")
	p := waitPending(t, h.URL)
	var in struct{ Command string }
	_ = json.Unmarshal(p.Input, &in)
	if p.Tool != "Bash" || in.Command != geminiAllow || p.Node != "geminibox" {
		t.Fatalf("prompt = %+v, input %s", p, p.Input)
	}
	start := time.Now()
	if code, body := PostJSON(h.URL+"/api/v1/prompts/"+p.ID+"/decision", map[string]string{"decision": "allow"}); code != 200 {
		t.Fatalf("allow: %d %s; screen:\n%s", code, body, term.Capture())
	}
	WaitFor(t, geminiWait, "allowed.txt", func() bool {
		_, err := os.Stat(filepath.Join(project, "allowed.txt"))
		return err == nil
	})
	t.Logf("approval round trip (hub allow to the command's file): %v", time.Since(start))
	got := waitPrompt(t, h.URL, p.ID, func(p apiPrompt) bool { return p.State == "closed" })
	if got.Decision == nil || *got.Decision != "allow" {
		t.Fatalf("settled prompt = %+v", got)
	}
	term.WaitFor("tool said", geminiWait)

	// Deny with a message: the hook blocks the call and the model reads why.
	geminiAsk(t, term, api, "run the deny one")
	p = waitPending(t, h.URL)
	if code, body := PostJSON(h.URL+"/api/v1/prompts/"+p.ID+"/decision", map[string]string{"decision": "deny", "message": geminiDenyMsg}); code != 200 {
		t.Fatalf("deny: %d %s", code, body)
	}
	if _, ok := api.WaitRequest(geminiWait, func(r geminitest.Request) bool {
		return strings.Contains(r.LastFunctionResponse(), geminiDenyMsg)
	}); !ok {
		t.Fatalf("the model never got the deny reason; screen:\n%s", term.Capture())
	}
	if _, err := os.Stat(filepath.Join(project, "denied.txt")); err == nil {
		t.Fatal("the denied command ran")
	}
	got = waitPrompt(t, h.URL, p.ID, func(p apiPrompt) bool { return p.State == "closed" })
	if got.Decision == nil || *got.Decision != "deny" {
		t.Fatalf("settled prompt = %+v", got)
	}
}
