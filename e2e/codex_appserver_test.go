package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ct-dev/ct/codextest"
)

// Codex started on a ct node through `codex app-server` (the machine
// protocol), against the fake Responses API: the approval is a hub prompt,
// the typed reply and the command land in the transcript, and nothing on
// the screen is parsed.

type appServerRun struct {
	t       *testing.T
	hub     *Hub
	api     *codextest.FakeAPI
	project string
	id      string
}

// startAppServer starts a hub and a node that allows the real codex, and
// a "Codex (app-server)" session from the API with codexAsk as its first
// prompt, scripted by script (nil: ask for codexProof outside the sandbox,
// then reply codexReply).
func startAppServer(t *testing.T, script codextest.Script) *appServerRun {
	t.Helper()
	bin := codextest.Binary(t)
	r := &appServerRun{t: t, hub: StartHub(t, t.TempDir(), "127.0.0.1:0"), api: codextest.NewFakeAPI(t), project: t.TempDir()}
	if real, err := filepath.EvalSymlinks(r.project); err == nil {
		r.project = real // the node resolves the working directory
	}
	if script == nil {
		script = codextest.ExecThenText(codextest.ApprovalReply(codexProof, codexWhy), codexReply)
	}
	r.api.SetScript(script)
	home := codextest.Home(t, r.project, r.api.URL)
	n := startNodeEnv(t, r.hub.URL, "asbox", codextest.Env(home), "--allow", bin, "--root", r.project)
	waitNode(t, r.hub.URL, "asbox", n)
	code, id := spawn(r.hub.URL, "asbox", map[string]string{"command": bin, "cwd": r.project, "prompt": codexAsk, "protocol": "app-server"})
	if code != 201 {
		t.Fatalf("spawn: %d %s\nnode log:\n%s", code, id, n.Stderr.String())
	}
	r.id = id
	return r
}

func (r *appServerRun) proofExists() bool {
	_, err := os.Stat(filepath.Join(r.project, "proof.txt"))
	return err == nil
}

// pending waits for the session's approval and checks it shows the command
// and Codex's justification, declared as a Codex session with hooks.
func (r *appServerRun) pending() apiPrompt {
	r.t.Helper()
	p := waitPending(r.t, r.hub.URL)
	var in struct{ Command, Description string }
	_ = json.Unmarshal(p.Input, &in)
	if p.SessionID != r.id || p.Tool != "Bash" || in.Command != codexProof || in.Description != codexWhy {
		r.t.Fatalf("prompt = %+v, input %s; want %q with Codex's justification", p, p.Input, codexProof)
	}
	if s := SessionFor(r.t, r.hub.URL, "asbox"); s.Agent != "codex" || !s.Hooks {
		r.t.Fatalf("session declared agent %q hooks %v, want codex with hooks", s.Agent, s.Hooks)
	}
	return p
}

func (r *appServerRun) decide(p apiPrompt, body map[string]string) {
	r.t.Helper()
	if code, out := PostJSON(r.hub.URL+"/api/v1/prompts/"+p.ID+"/decision", body); code != 200 {
		r.t.Fatalf("decision: %d %s", code, out)
	}
}

func TestCodexAppServerApproveFromHub(t *testing.T) {
	r := startAppServer(t, nil)
	p := r.pending()
	r.decide(p, map[string]string{"decision": "allow"})
	WaitFor(t, codexWait, "proof.txt", r.proofExists)
	WaitFor(t, codexWait, "the reply on the session's screen", screenHas(r.hub.URL, r.id, codexReply))
	want := "user,tool_call,approval,tool_result,assistant"
	var got []apiEntry
	WaitFor(t, codexWait, "the turn in the transcript ("+want+")", func() bool {
		got = transcript(t, r.hub.URL, r.id)
		return kinds(got) == want
	})
	var in struct{ Command string }
	if got[0].Text != codexAsk || got[4].Text != codexReply || got[1].Tool != "Bash" ||
		json.Unmarshal(got[1].Input, &in) != nil || in.Command != codexProof || !strings.HasPrefix(got[2].Text, "Approved") {
		t.Fatalf("transcript = %+v", got)
	}

	// A prompt typed on the session (the hub's input) is the next turn.
	const second = "and now say hello"
	r.api.SetScript(func(codextest.Request) codextest.Reply { return codextest.TextReply("hello from turn two") })
	if code, body := PostJSON(r.hub.URL+"/api/v1/sessions/"+r.id+"/input", map[string]string{"text": second + "\r"}); code != 200 {
		t.Fatalf("input: %d %s", code, body)
	}
	WaitFor(t, codexWait, "the typed prompt's turn in the transcript", func() bool {
		got = transcript(t, r.hub.URL, r.id)
		return len(got) == 7 && got[5].Kind == "user" && got[5].Text == second && got[6].Text == "hello from turn two"
	})
}

func TestCodexAppServerDenyFromHub(t *testing.T) {
	r := startAppServer(t, nil)
	p := r.pending()
	const msg = "use printf instead, ct says"
	r.decide(p, map[string]string{"decision": "deny", "message": msg})
	out, ok := r.api.WaitOutput(codexWait, func(string) bool { return true })
	if !ok {
		t.Fatal("the fake API never received the declined call's function_call_output")
	}
	if !strings.Contains(out, "rejected by user") {
		t.Fatalf("function_call_output after decline = %q, want Codex's rejection", out)
	}
	if _, ok := r.api.WaitRequest(codexWait, func(q codextest.Request) bool {
		return strings.Contains(string(q.Body), msg)
	}); !ok {
		t.Fatal("the deny message never reached the model")
	}
	if r.proofExists() {
		t.Fatal("the declined command ran")
	}
	got := waitPrompt(t, r.hub.URL, p.ID, func(p apiPrompt) bool { return p.State == "closed" })
	if got.Decision == nil || *got.Decision != "deny" {
		t.Fatalf("settled prompt = %+v", got)
	}
}

// "Allow for this session" is Codex's own acceptForSession: the same command
// asked again later in the session runs without a second question (ct's own
// session rule would still put a second, rule-answered prompt on the hub).
func TestCodexAppServerAllowForSession(t *testing.T) {
	r := startAppServer(t, func(q codextest.Request) codextest.Reply {
		if n := len(q.Outputs()); n < 2 {
			return codextest.ApprovalReply(codexProof, codexWhy)
		}
		return codextest.TextReply(codexReply)
	})
	p := r.pending()
	r.decide(p, map[string]string{"decision": "allow", "scope": "session"})
	WaitFor(t, codexWait, "the reply after the second run", screenHas(r.hub.URL, r.id, codexReply))
	var got []apiEntry
	WaitFor(t, codexWait, "both runs in the transcript", func() bool {
		got = transcript(t, r.hub.URL, r.id)
		n := 0
		for _, e := range got {
			if e.Kind == "tool_result" {
				n++
			}
		}
		return n == 2
	})
	if ps := prompts(r.hub.URL, ""); len(ps) != 1 {
		t.Fatalf("the hub has %d prompts, want 1 (Codex asked again after acceptForSession): %+v", len(ps), ps)
	}
}
