package e2e

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ct-dev/ct/claudetest"
)

// The real Claude Code CLI under ct wrap, in tmux (it needs a terminal),
// against the fake Messages API; prompts answered through the hub or at the
// terminal.

const (
	proofCmd   = "echo hello > proof.txt"
	askText    = "please make the proof file"
	replyText  = "The proof file is written."
	claudeWait = 60 * time.Second
)

type claudeRun struct {
	t       *testing.T
	hub     *Hub
	api     *claudetest.FakeAPI
	project string
	term    *claudetest.Tmux
}

// startClaude runs `ct wrap --hub URL -- claude` in tmux, scripted to ask
// for proofCmd and then reply replyText, and waits for Claude's prompt.
func startClaude(t *testing.T, hubURL string) *claudeRun {
	t.Helper()
	return startClaudeWith(t, hubURL, claudetest.ReadyText)
}

// startClaudeWith is startClaude with more arguments for claude, waiting
// for ready on its first screen.
func startClaudeWith(t *testing.T, hubURL, ready string, args ...string) *claudeRun {
	t.Helper()
	return startClaudeIn(t, hubURL, t.TempDir(), ready, args...)
}

// startClaudeIn is startClaudeWith in the project directory given (made
// ready beforehand, e.g. with files Claude reads at start).
func startClaudeIn(t *testing.T, hubURL, project, ready string, args ...string) *claudeRun {
	t.Helper()
	bin := claudetest.Binary(t)
	c := &claudeRun{t: t, api: claudetest.NewFakeAPI(t), project: project}
	c.api.SetScript(claudetest.ToolThenText(claudetest.BashReply(proofCmd, "Create the proof file"), replyText))
	home := claudetest.Home(t, c.project)
	env := append(claudetest.Env(home, c.api.URL), "CT_NAME=claudebox")
	if resp, err := http.Get(hubURL + "/healthz"); err == nil {
		resp.Body.Close()
		env = append(env, "CT_TOKEN="+MachineToken(t, hubURL, "claudebox"))
	}
	c.term = claudetest.NewTmux(t, c.project, env, append([]string{Binary(t), "wrap", "--hub", hubURL, "--", bin}, args...)...)
	c.term.WaitFor(ready, claudeWait)
	return c
}

// ask types the prompt that makes Claude ask for permission.
func (c *claudeRun) ask() {
	c.t.Helper()
	c.term.Type(askText)
	c.term.WaitFor(askText, claudeWait)
	c.term.SendKeys("Enter")
}

// toolResultHas waits for a request to the fake API whose tool_result
// holds text: what Claude was told about its tool call.
func (c *claudeRun) toolResultHas(text string) bool {
	_, ok := c.api.WaitRequest(claudeWait, func(r claudetest.Request) bool {
		if r.Messages == nil {
			return false
		}
		for _, b := range r.Messages.ToolResults() {
			if strings.Contains(b.ResultText(), text) {
				return true
			}
		}
		return false
	})
	return ok
}

func (c *claudeRun) proofExists() bool {
	_, err := os.Stat(filepath.Join(c.project, "proof.txt"))
	return err == nil
}

// apiPrompt is a prompt as GET /api/v1/prompts shows it.
type apiPrompt struct {
	ID        string          `json:"id"`
	SessionID string          `json:"session_id"`
	Node      string          `json:"node"`
	Tool      string          `json:"tool"`
	Input     json.RawMessage `json:"input"`
	State     string          `json:"state"`
	Outcome   string          `json:"outcome"`
	Decision  *string         `json:"decision"`
	DecidedBy *string         `json:"decided_by"`
}

func prompts(hubURL, query string) []apiPrompt {
	var out []apiPrompt
	_ = json.Unmarshal([]byte(Get(hubURL+"/api/v1/prompts"+query)), &out)
	return out
}

// waitPending waits for one pending prompt and returns it.
func waitPending(t testing.TB, hubURL string) apiPrompt {
	t.Helper()
	var p apiPrompt
	WaitFor(t, claudeWait, "a pending prompt on the hub", func() bool {
		ps := prompts(hubURL, "?state=pending")
		if len(ps) == 1 {
			p = ps[0]
			return true
		}
		return false
	})
	return p
}

func waitPrompt(t testing.TB, hubURL, id string, cond func(apiPrompt) bool) apiPrompt {
	t.Helper()
	var got apiPrompt
	WaitFor(t, claudeWait, "prompt "+id+" to settle", func() bool {
		for _, p := range prompts(hubURL, "") {
			if p.ID == id && cond(p) {
				got = p
				return true
			}
		}
		return false
	})
	return got
}

func TestClaudeApproveFromHub(t *testing.T) {
	h := StartHub(t, t.TempDir(), "127.0.0.1:0")
	c := startClaude(t, h.URL)
	c.ask()
	p := waitPending(t, h.URL)
	var in struct{ Command, Description string }
	_ = json.Unmarshal(p.Input, &in)
	if p.Tool != "Bash" || in.Command != proofCmd || p.Node != "claudebox" {
		t.Fatalf("prompt = %+v, input %s", p, p.Input)
	}
	// The session is named after the first prompt (UserPromptSubmit's "prompt").
	WaitFor(t, claudeWait, "the session titled by its first prompt", func() bool {
		for _, raw := range apiSessions(t, h.URL) {
			var ss struct {
				ID      string `json:"id"`
				Title   string `json:"title"`
				TitleBy string `json:"title_by"`
			}
			_ = json.Unmarshal(raw, &ss)
			if ss.ID == p.SessionID {
				return ss.Title == askText && ss.TitleBy == "first prompt"
			}
		}
		return false
	})
	// Claude Code's own dialog is up at the same time: the terminal can answer too.
	c.term.WaitFor(claudetest.DialogText, claudeWait)
	code, body := PostJSON(h.URL+"/api/v1/prompts/"+p.ID+"/decision", map[string]string{"decision": "allow"})
	if code != 200 {
		t.Fatalf("decision: %d %s", code, body)
	}
	WaitFor(t, claudeWait, "proof.txt", c.proofExists)
	c.term.WaitFor(replyText, claudeWait)
	WaitFor(t, claudeWait, "Claude's reply on the hub screen", func() bool {
		return strings.Contains(Get(h.URL+"/api/v1/sessions/"+p.SessionID+"/screen"), replyText)
	})
	got := waitPrompt(t, h.URL, p.ID, func(p apiPrompt) bool { return p.State == "closed" })
	if got.Decision == nil || *got.Decision != "allow" || got.DecidedBy == nil {
		t.Fatalf("settled prompt = %+v", got)
	}
	// A second answer is refused: the question is settled.
	if code, body := PostJSON(h.URL+"/api/v1/prompts/"+p.ID+"/decision", map[string]string{"decision": "deny"}); code != 409 {
		t.Fatalf("late answer: %d %s, want 409", code, body)
	}
}

func TestClaudeDenyWithMessageFromHub(t *testing.T) {
	h := StartHub(t, t.TempDir(), "127.0.0.1:0")
	c := startClaude(t, h.URL)
	c.ask()
	p := waitPending(t, h.URL)
	const msg = "use printf instead, ct says"
	code, body := PostJSON(h.URL+"/api/v1/prompts/"+p.ID+"/decision", map[string]string{"decision": "deny", "message": msg})
	if code != 200 {
		t.Fatalf("decision: %d %s", code, body)
	}
	if !c.toolResultHas(msg) {
		t.Fatalf("the fake API never received the deny message in a tool_result; screen:\n%s", c.term.Capture())
	}
	if c.proofExists() {
		t.Fatal("the denied command ran")
	}
	got := waitPrompt(t, h.URL, p.ID, func(p apiPrompt) bool { return p.State == "closed" })
	if got.Decision == nil || *got.Decision != "deny" {
		t.Fatalf("settled prompt = %+v", got)
	}
}

func TestClaudeAnswerAtTerminal(t *testing.T) {
	h := StartHub(t, t.TempDir(), "127.0.0.1:0")
	c := startClaude(t, h.URL)
	c.ask()
	p := waitPending(t, h.URL)
	c.term.WaitFor(claudetest.DialogText, claudeWait)
	c.term.PressUntilGone(claudetest.DialogText, claudeWait, "1")
	WaitFor(t, claudeWait, "proof.txt", c.proofExists)
	got := waitPrompt(t, h.URL, p.ID, func(p apiPrompt) bool {
		return p.State == "closed" && strings.Contains(p.Outcome, "terminal")
	})
	t.Logf("hub shows: %s", got.Outcome)
	if code, body := PostJSON(h.URL+"/api/v1/prompts/"+p.ID+"/decision", map[string]string{"decision": "allow"}); code != 409 || !strings.Contains(body, "terminal") {
		t.Fatalf("answer after the terminal's: %d %s, want 409 naming the terminal", code, body)
	}
	c.term.WaitFor(replyText, claudeWait)
}

func TestClaudeHubDownUsesOwnDialog(t *testing.T) {
	h := StartHub(t, t.TempDir(), "127.0.0.1:0")
	url := h.URL
	h.Kill() // nothing listens there now
	c := startClaude(t, url)
	c.ask()
	c.term.WaitFor(claudetest.DialogText, claudeWait)
	c.term.PressUntilGone(claudetest.DialogText, claudeWait, "1")
	WaitFor(t, claudeWait, "proof.txt", c.proofExists)
	c.term.WaitFor(replyText, claudeWait)
}

// Both answers at the same moment: the hub denies, the terminal approves.
// Exactly one wins, and the hub's record agrees with what Claude did.
func TestClaudeSimultaneousAnswers(t *testing.T) {
	h := StartHub(t, t.TempDir(), "127.0.0.1:0")
	c := startClaude(t, h.URL)
	c.ask()
	p := waitPending(t, h.URL)
	c.term.WaitFor(claudetest.DialogText, claudeWait)
	time.Sleep(300 * time.Millisecond) // let the dialog take keys (it drops them for its first ~0.15 s)
	var code int
	var body string
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		code, body = PostJSON(h.URL+"/api/v1/prompts/"+p.ID+"/decision", map[string]string{"decision": "deny", "message": "hub says no"})
	}()
	go func() { defer wg.Done(); c.term.SendKeys("1") }()
	wg.Wait()
	switch code {
	case 200: // the hub won: Claude must have been denied
		_, ok := c.api.WaitRequest(claudeWait, func(r claudetest.Request) bool {
			if r.Messages == nil {
				return false
			}
			for _, b := range r.Messages.ToolResults() {
				if strings.Contains(b.ResultText(), "hub says no") {
					return true
				}
			}
			return false
		})
		if !ok || c.proofExists() {
			t.Fatalf("hub answer won (200) but Claude did not take it: message seen %v, proof exists %v\n%s", ok, c.proofExists(), c.term.Capture())
		}
	case 409: // the terminal won: Claude must have run the command
		if !strings.Contains(body, "terminal") {
			t.Fatalf("409 does not name the terminal: %s", body)
		}
		if _, ok := c.term.Poll(claudeWait, func(s string) bool { return !strings.Contains(s, claudetest.DialogText) }); !ok {
			c.term.PressUntilGone(claudetest.DialogText, claudeWait, "1") // the key came before the dialog listened
		}
		WaitFor(t, claudeWait, "proof.txt after the terminal won", c.proofExists)
		waitPrompt(t, h.URL, p.ID, func(p apiPrompt) bool { return p.State == "closed" && strings.Contains(p.Outcome, "terminal") })
	default:
		t.Fatalf("decision: %d %s", code, body)
	}
	t.Logf("winner: %d %s", code, body)
}

// "Allow for this session" is ct's own session rule in the wrap: Claude Code
// asks again for the same command (2.1.330 and 2.1.332 do not apply a
// hook-supplied session rule to the next call), and the wrap allows it at
// once, recorded on the hub as "allowed by the session rule"; nothing is
// written to settings files. See docs/claude-code.md.
func TestClaudeAllowForSession(t *testing.T) {
	h := StartHub(t, t.TempDir(), "127.0.0.1:0")
	c := startClaude(t, h.URL)
	const again = "echo again >> proof.txt"
	c.api.SetScript(func(req *claudetest.MessagesRequest) claudetest.Reply {
		results := 0
		for _, m := range req.Messages {
			for _, b := range m.Content {
				if b.Type == "tool_result" {
					results++
				}
			}
		}
		switch results {
		case 0, 1:
			return claudetest.BashReply(again, "Append to the proof file")
		default:
			return claudetest.TextReply(replyText)
		}
	})
	settingsBefore, _ := os.ReadFile(filepath.Join(c.project, ".claude", "settings.local.json"))
	c.ask()
	first := waitPending(t, h.URL)
	code, body := PostJSON(h.URL+"/api/v1/prompts/"+first.ID+"/decision", map[string]string{"decision": "allow", "scope": "session"})
	if code != 200 || !strings.Contains(body, `"scope":"session"`) {
		t.Fatalf("allow for the session: %d %s", code, body)
	}
	// Claude Code asks again for the same command (it does not apply a
	// hook's session rule); ct's own rule in the wrap answers it at once and
	// the hub records that, without a pending prompt anyone must answer.
	var ruled apiPrompt
	WaitFor(t, claudeWait, "the second ask, allowed by the session rule", func() bool {
		for _, p := range prompts(h.URL, "") {
			if p.ID != first.ID && strings.Contains(p.Outcome, "session rule") {
				ruled = p
				return true
			}
		}
		return false
	})
	if ps := prompts(h.URL, "?state=pending"); len(ps) != 0 {
		t.Fatalf("pending after a session rule: %+v", ps)
	}
	t.Logf("second ask: %s", ruled.Outcome)
	c.term.WaitFor(replyText, claudeWait)
	b, _ := os.ReadFile(filepath.Join(c.project, "proof.txt"))
	if strings.Count(string(b), "again") != 2 {
		t.Fatalf("proof.txt = %q, want the command to have run twice", b)
	}
	settingsAfter, _ := os.ReadFile(filepath.Join(c.project, ".claude", "settings.local.json"))
	if string(settingsBefore) != string(settingsAfter) {
		t.Fatalf("allow for the session wrote the project's settings: %s", settingsAfter)
	}
	t.Logf("prompts asked: %d", len(prompts(h.URL, "")))
}
