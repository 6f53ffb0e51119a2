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
	"github.com/ct-dev/ct/codextest"
)

// The real Codex CLI under ct wrap, in tmux, against the fake Responses
// API: an exec_command that asks for approval, answered through the hub or
// at the terminal.

const (
	codexProof = "echo codex > proof.txt"
	codexWhy   = "Write the proof file"
	codexAsk   = "please write the proof file"
	codexReply = "The proof file is written."
	codexWait  = 60 * time.Second
)

type codexRun struct {
	t       *testing.T
	api     *codextest.FakeAPI
	project string
	home    string
	term    *claudetest.Tmux
}

// startCodex runs `ct wrap --hub URL -- codex` in tmux, scripted to ask for
// codexProof outside the sandbox and then reply codexReply, and waits for
// its composer. ct's hooks must run without Codex's trust question.
func startCodex(t *testing.T, hubURL string) *codexRun {
	t.Helper()
	bin := codextest.Binary(t)
	c := &codexRun{t: t, api: codextest.NewFakeAPI(t), project: t.TempDir()}
	c.api.SetScript(codextest.ExecThenText(codextest.ApprovalReply(codexProof, codexWhy), codexReply))
	c.home = codextest.Home(t, c.project, c.api.URL)
	env := append(codextest.Env(c.home), "CT_NAME=codexbox")
	if resp, err := http.Get(hubURL + "/healthz"); err == nil {
		resp.Body.Close()
		env = append(env, "CT_TOKEN="+MachineToken(t, hubURL, "codexbox"))
	}
	c.term = claudetest.NewTmux(t, c.project, env, Binary(t), "wrap", "--hub", hubURL, "--", bin)
	screen, ok := c.term.Poll(codexWait, func(s string) bool {
		return strings.Contains(s, codextest.ReadyText) || strings.Contains(s, codextest.TrustText)
	})
	if !ok || strings.Contains(screen, codextest.TrustText) {
		t.Fatalf("Codex did not start with ct's hooks trusted; screen:\n%s", screen)
	}
	return c
}

// ask types the prompt that makes Codex ask for approval.
func (c *codexRun) ask() {
	c.t.Helper()
	c.term.Type(codexAsk)
	c.term.WaitFor(codexAsk, codexWait)
	c.term.SendKeys("Enter")
}

func (c *codexRun) proofExists() bool {
	_, err := os.Stat(filepath.Join(c.project, "proof.txt"))
	return err == nil
}

// rollout is the rollout file Codex wrote for the session.
func (c *codexRun) rollout() string {
	var found string
	_ = filepath.WalkDir(filepath.Join(c.home, "sessions"), func(p string, d os.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(p, ".jsonl") {
			found = p
		}
		return nil
	})
	return found
}

func TestCodexDenyWithMessageFromHub(t *testing.T) {
	h := StartHub(t, t.TempDir(), "127.0.0.1:0")
	c := startCodex(t, h.URL)
	c.ask()
	p := waitPending(t, h.URL)
	var in struct{ Command, Description string }
	_ = json.Unmarshal(p.Input, &in)
	if p.Tool != "Bash" || in.Command != codexProof || in.Description != codexWhy || p.Node != "codexbox" {
		t.Fatalf("prompt = %+v, input %s; want the command and Codex's justification", p, p.Input)
	}
	if s := SessionFor(t, h.URL, "codexbox"); s.Agent != "codex" || !s.Hooks {
		t.Fatalf("session declared agent %q hooks %v, want codex with hooks", s.Agent, s.Hooks)
	}
	const msg = "use printf instead, ct says"
	if code, body := PostJSON(h.URL+"/api/v1/prompts/"+p.ID+"/decision", map[string]string{"decision": "deny", "message": msg}); code != 200 {
		t.Fatalf("decision: %d %s", code, body)
	}
	if _, ok := c.api.WaitOutput(codexWait, func(o string) bool { return strings.Contains(o, msg) }); !ok {
		t.Fatalf("the fake API never received the deny message in a function_call_output; screen:\n%s", c.term.Capture())
	}
	if c.proofExists() {
		t.Fatal("the denied command ran")
	}
	got := waitPrompt(t, h.URL, p.ID, func(p apiPrompt) bool { return p.State == "closed" })
	if got.Decision == nil || *got.Decision != "deny" {
		t.Fatalf("settled prompt = %+v", got)
	}
}

// While the hub waits, Codex shows no dialog; a key at the terminal hands
// the question to Codex's own dialog at once, never reaching its composer,
// and `y` there runs the command.
func TestCodexAnswerAtTerminal(t *testing.T) {
	h := StartHub(t, t.TempDir(), "127.0.0.1:0")
	c := startCodex(t, h.URL)
	c.ask()
	p := waitPending(t, h.URL)
	if s := c.term.Capture(); strings.Contains(s, codextest.DialogText) {
		t.Fatalf("Codex's dialog is up while its hook waits:\n%s", s)
	}
	c.term.SendKeys("z")
	c.term.WaitFor(codextest.DialogText, codexWait)
	got := waitPrompt(t, h.URL, p.ID, func(p apiPrompt) bool {
		return p.State == "closed" && strings.Contains(p.Outcome, "terminal")
	})
	t.Logf("hub shows: %s", got.Outcome)
	c.term.PressUntilGone(codextest.DialogText, codexWait, "y")
	WaitFor(t, codexWait, "proof.txt", c.proofExists)
	screen := c.term.WaitFor(codexReply, codexWait)
	if strings.Contains(screen, "› z") {
		t.Fatalf("the key that took the question reached Codex's composer:\n%s", screen)
	}
	if code, body := PostJSON(h.URL+"/api/v1/prompts/"+p.ID+"/decision", map[string]string{"decision": "allow"}); code != 409 || !strings.Contains(body, "terminal") {
		t.Fatalf("answer after the terminal's: %d %s, want 409 naming the terminal", code, body)
	}
}

// With the hub down Codex's own dialog asks at once.
func TestCodexHubDownUsesOwnDialog(t *testing.T) {
	h := StartHub(t, t.TempDir(), "127.0.0.1:0")
	url := h.URL
	h.Kill()
	c := startCodex(t, url)
	c.ask()
	c.term.WaitFor(codextest.DialogText, codexWait)
	c.term.PressUntilGone(codextest.DialogText, codexWait, "y")
	WaitFor(t, codexWait, "proof.txt", c.proofExists)
	c.term.WaitFor(codexReply, codexWait)
}

// A turn approved from the hub: the session's transcript is the rollout
// file's steps (read with the same reader as an independent check) with the
// hub's approval right after the call it answered.
func TestCodexTranscriptMatchesRollout(t *testing.T) {
	h := StartHub(t, t.TempDir(), "127.0.0.1:0")
	c := startCodex(t, h.URL)
	c.ask()
	p := waitPending(t, h.URL)
	if code, body := PostJSON(h.URL+"/api/v1/prompts/"+p.ID+"/decision", map[string]string{"decision": "allow"}); code != 200 {
		t.Fatalf("decision: %d %s", code, body)
	}
	WaitFor(t, codexWait, "proof.txt", c.proofExists)
	c.term.WaitFor(codexReply, codexWait)
	want := "user,tool_call,approval,tool_result,assistant"
	var got []apiEntry
	WaitFor(t, codexWait, "the turn in the transcript", func() bool {
		got = transcript(t, h.URL, p.SessionID)
		return kinds(got) == want
	})
	logged := readRollout(t, c.rollout())
	if len(logged) != 4 {
		t.Fatalf("the rollout has %d steps, want 4: %+v", len(logged), logged)
	}
	for i, j := range []int{0, 1, 3, 4} { // the hub's entries, skipping the approval
		if got[j].Kind != logged[i].Kind || got[j].Text != logged[i].Text || got[j].Tool != logged[i].Tool || !got[j].TS.Equal(logged[i].TS) {
			t.Errorf("transcript entry %d = %+v, rollout step %d = %+v", j, got[j], i, logged[i])
		}
	}
	if got[0].Text != codexAsk || got[4].Text != codexReply {
		t.Errorf("prompt %q reply %q", got[0].Text, got[4].Text)
	}
	var in struct{ Command string }
	if json.Unmarshal(got[1].Input, &in) != nil || in.Command != codexProof || got[1].Tool != "Bash" {
		t.Errorf("tool_call = %+v", got[1])
	}
	if !strings.HasPrefix(got[2].Text, "Approved") {
		t.Errorf("approval = %+v", got[2])
	}
}
