package handlers

import (
	"net/http"
	"strings"
	"testing"

	"github.com/ct-dev/ct/auth"
)

// An agent's credential reads the sessions its owner may see (with what
// each waits on) and nothing else; it never types into a session nobody
// drives, never types for a viewer, never starts sessions for one, and
// never answers a prompt.
func TestAgentCredentialSessionsUnderOwnersRights(t *testing.T) {
	w := newAccessWorld(t)
	f := w.f
	monaAgent, _ := f.token("mona", auth.KindAgent, "", "box-a")
	veraAgent, _ := f.token("vera", auth.KindAgent, "", "box-a")
	mona, vera := cred{name: "mona's agent", bearer: monaAgent}, cred{name: "vera's agent", bearer: veraAgent}

	res := f.do(http.MethodGet, "/api/v1/sessions", "", mona, nil)
	if res.status != http.StatusOK || !strings.Contains(res.body, `"id":"sess-a"`) || strings.Contains(res.body, "sess-b") {
		t.Fatalf("list as mona's agent = %d %s; want sess-a only", res.status, res.body)
	}
	if !strings.Contains(res.body, `"waiting":{"id":"prm-a"`) || !strings.Contains(res.body, `"url":"/p/prm-a"`) {
		t.Errorf("the list does not say sess-a waits on prm-a: %s", res.body)
	}
	for _, path := range []string{"/api/v1/sessions/sess-b", "/api/v1/sessions/sess-b/screen", "/api/v1/sessions/sess-b/transcript"} {
		if res := f.do(http.MethodGet, path, "", mona, nil); res.status != http.StatusNotFound {
			t.Errorf("GET %s (a machine mona may not see) = %d, want 404", path, res.status)
		}
	}
	if res := f.do(http.MethodGet, "/api/v1/sessions/sess-a/transcript?since=0&limit=10", "", mona, nil); res.status != http.StatusOK {
		t.Errorf("transcript of sess-a = %d %s", res.status, res.body)
	}
	if res := f.do(http.MethodGet, "/api/v1/sessions/sess-a/log", "", mona, nil); res.status != http.StatusForbidden {
		t.Errorf("the raw log = %d, want 403: not one of an agent's calls", res.status)
	}

	// Nobody drives sess-a: the agent does not take the free wheel.
	res = f.do(http.MethodPost, "/api/v1/sessions/sess-a/input", `{"text":"ls\r"}`, mona, nil)
	if res.status != http.StatusConflict || !strings.Contains(res.body, "nobody drives") || !strings.Contains(res.body, "mona must take the wheel") {
		t.Errorf("input with a free wheel = %d %s; want 409 saying mona must take the wheel", res.status, res.body)
	}
	if ws, _ := f.hub.Wheel("sess-a"); ws.Holder != "" {
		t.Errorf("the agent's input took the wheel for %q", ws.Holder)
	}
	if res := f.do(http.MethodPost, "/api/v1/sessions/sess-a/input", `{"text":"ls\r"}`, vera, nil); res.status != http.StatusForbidden {
		t.Errorf("input by a viewer's agent = %d %s, want 403", res.status, res.body)
	}
	if res := f.do(http.MethodPost, "/api/v1/nodes/box-a/sessions", `{"command":"claude","cwd":"/tmp"}`, vera, nil); res.status != http.StatusForbidden {
		t.Errorf("start_session by a viewer's agent = %d %s, want 403", res.status, res.body)
	}
	if res := f.do(http.MethodPost, "/api/v1/prompts/prm-a/decision", `{"decision":"allow"}`, mona, nil); res.status != http.StatusForbidden {
		t.Errorf("a prompt decision by an agent = %d %s, want 403", res.status, res.body)
	}
	if p, _ := f.store.GetPrompt("prm-a"); p.State != "pending" {
		t.Fatalf("an agent settled a prompt: %+v", p)
	}
}
