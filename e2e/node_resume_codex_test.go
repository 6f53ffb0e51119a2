package e2e

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/ct-dev/ct/codextest"
)

// Resume and fork of a past Codex session on ct node, with the real Codex
// CLI (its terminal UI, ct's hooks) against the fake Responses API: the
// resumed session's request carries the earlier prompt under the same
// session id; the fork's carries it under a new one.
func TestNodeResumeAndForkCodex(t *testing.T) {
	bin := codextest.Binary(t)
	h := StartHub(t, t.TempDir(), "127.0.0.1:0", "--stop-grace", "3s")
	api := codextest.NewFakeAPI(t)
	api.SetScript(func(codextest.Request) codextest.Reply { return codextest.TextReply("Noted the bird.") })
	project, _ := filepath.EvalSymlinks(t.TempDir())
	home := codextest.Home(t, project, api.URL)
	n := startNodeEnv(t, h.URL, "cxbox", codextest.Env(home), "--allow", bin, "--root", project)
	waitNode(t, h.URL, "cxbox", n)
	has := func(want ...string) func(codextest.Request) bool {
		return func(r codextest.Request) bool {
			for _, w := range want {
				if len(r.Tools) == 0 || !bytes.Contains(r.Body, []byte(w)) {
					return false
				}
			}
			return true
		}
	}
	start := func(req map[string]any, want ...string) string {
		t.Helper()
		code, body := PostJSON(h.URL+"/api/v1/nodes/cxbox/sessions", req)
		var out struct {
			SessionID string `json:"session_id"`
		}
		if _ = json.Unmarshal([]byte(body), &out); code != 201 || out.SessionID == "" {
			t.Fatalf("spawn %v: %d %s", req, code, body)
		}
		if _, ok := api.WaitRequest(codexWait, has(want...)); !ok {
			t.Fatalf("no request with %q; screen:\n%s\nnode log:\n%s", want, Get(h.URL+"/api/v1/sessions/"+out.SessionID+"/screen"), n.Stderr.String())
		}
		WaitFor(t, codexWait, "the reply on screen", screenHas(h.URL, out.SessionID, "Noted the bird."))
		return out.SessionID
	}
	first := start(map[string]any{"command": bin, "cwd": project, "prompt": "Remember the word PELICAN"}, "Remember the word PELICAN")
	was := waitAgentSession(t, h.URL, first)
	stopAndWait(t, h.URL, first)

	resumed := start(map[string]any{"command": bin, "cwd": project, "resume": was, "prompt": "Which word was it"}, "Remember the word PELICAN", "Which word was it")
	if got := waitAgentSession(t, h.URL, resumed); got != was {
		t.Errorf("the resumed Codex session id = %q, want the original %q", got, was)
	}
	stopAndWait(t, h.URL, resumed)

	fork := start(map[string]any{"command": bin, "cwd": project, "resume": was, "fork": true, "prompt": "A forked question"}, "Remember the word PELICAN", "A forked question")
	if got := waitAgentSession(t, h.URL, fork); got == was {
		t.Errorf("the Codex fork kept the original session id %q", was)
	}
	stopAndWait(t, h.URL, fork)
}
