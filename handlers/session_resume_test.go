package handlers

import (
	"strings"
	"testing"
	"time"

	"github.com/ct-dev/ct/auth"
	"github.com/ct-dev/ct/db"
)

// The hub refuses a resume id that is not a plain id before any node sees
// it, and offers Resume only for an ended agent session whose id it knows.
func TestResumeRefusesWhatIsNotAPlainID(t *testing.T) {
	f := newAuthFixture(t, fixtureOpts{})
	api, _ := f.token("admin", auth.KindAPI, "", "")
	admin := cred{bearer: api}
	f.session("sess-res-1", "box")
	for _, body := range []string{
		`{"command":"claude","cwd":"/tmp","resume":"--settings={}"}`,
		`{"command":"claude","cwd":"/tmp","resume":"../../.claude/projects/x.jsonl"}`,
		`{"command":"claude","cwd":"/tmp","fork":true}`,
	} {
		if res := f.do("POST", "/api/v1/nodes/box/sessions", body, admin, nil); res.status != 400 {
			t.Errorf("%s = %d %.200s, want 400", body, res.status, res.body)
		}
	}
	cookie := cred{cookie: f.cookie("admin", time.Hour)}
	if res := f.do("POST", "/s/sess-res-1/resume", "", cookie, nil); res.status != 409 {
		t.Errorf("resume of a plain session = %d, want 409", res.status)
	}
	if page := f.do("GET", "/s/sess-res-1", "", cookie, nil); strings.Contains(page.body, `id="resume-btn"`) {
		t.Error("a session with no agent session id offers Resume")
	}
	ss, _ := f.store.GetSession("sess-res-1")
	ss.Agent, ss.Status = "claude", db.StatusEnded
	if _, err := f.store.UpsertSession(ss); err != nil {
		t.Fatal(err)
	}
	if err := f.store.SetAgentSession("sess-res-1", "3f2b9c1e-8d7a-4b6e-9f10-2a3b4c5d6e7f"); err != nil {
		t.Fatal(err)
	}
	if page := f.do("GET", "/s/sess-res-1", "", cookie, nil); strings.Contains(page.body, `id="resume-btn"`) {
		t.Error("Resume is offered while no ct node is connected for the machine")
	}
	if res := f.do("POST", "/s/sess-res-1/resume", form("fork", "1"), cookie, nil); res.status != 409 || !strings.Contains(res.body, "ct node") {
		t.Errorf("resume with no node connected = %d %.200s, want 409 naming ct node", res.status, res.body)
	}
	if res := f.do("GET", "/api/v1/sessions/sess-res-1", "", admin, nil); !strings.Contains(res.body, `"agent_session":"3f2b9c1e-8d7a-4b6e-9f10-2a3b4c5d6e7f"`) {
		t.Errorf("the API does not show the agent session id: %.300s", res.body)
	}
}
