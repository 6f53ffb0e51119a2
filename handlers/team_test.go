package handlers

import (
	"net/http"
	"strings"
	"testing"

	"github.com/ct-dev/ct/auth"
)

// A peer's page lists the session it runs in, and a person's page their
// agents and those agents' sessions, but only on machines the viewer may
// see; the Team list hides an unseen machine's directory the same way.
func TestTeamPagesRedactUnseenMachines(t *testing.T) {
	w := newAccessWorld(t)
	f := w.f
	monaTok, _ := f.token("mona", auth.KindAPI, auth.RoleMember, "")
	peer := func(tok, name, body string) {
		t.Helper()
		res := f.do(http.MethodPatch, "/api/v1/peers/me", body, cred{bearer: tok}, map[string]string{PeerHeader: name})
		if res.status != http.StatusOK {
			t.Fatalf("PATCH peers/me as %s = %d %s", name, res.status, res.body)
		}
	}
	peer(monaTok, "mona/a1", `{"session":"sess-a","cwd":"/src/seen","status":"on box-a"}`)
	peer(w.adminToken, "admin/b1", `{"session":"sess-b","cwd":"/src/hidden","status":"on box-b"}`)
	vera := cred{name: "vera", cookie: w.viewerCookie()}
	_ = f.do(http.MethodGet, "/team", "", cred{cookie: w.memberCookie()}, nil) // mona's own peer exists once she looked

	res := f.do(http.MethodGet, "/team/list", "", vera, nil)
	if res.status != http.StatusOK || !strings.Contains(res.body, `data-peer="mona/a1"`) || !strings.Contains(res.body, `data-peer="admin/b1"`) {
		t.Fatalf("team list = %d %s; want both agents", res.status, res.body)
	}
	if !strings.Contains(res.body, "/src/seen") || strings.Contains(res.body, "/src/hidden") || !strings.Contains(res.body, "on box-b") {
		t.Errorf("team list shows an unseen machine's directory, or hides a seen one's: %s", res.body)
	}
	if res := f.do(http.MethodGet, "/team/p/mona/a1", "", vera, nil); res.status != http.StatusOK || !strings.Contains(res.body, `href="/s/sess-a"`) {
		t.Errorf("mona/a1's page = %d; want its session sess-a: %s", res.status, res.body)
	}
	if res := f.do(http.MethodGet, "/team/p/admin/b1?part=1", "", vera, nil); res.status != http.StatusOK || strings.Contains(res.body, "sess-b") ||
		strings.Contains(res.body, "<html") {
		t.Errorf("admin/b1's part = %d; want no sess-b and no page around it: %s", res.status, res.body)
	}
	res = f.do(http.MethodGet, "/team/p/mona", "", vera, nil)
	if res.status != http.StatusOK || !strings.Contains(res.body, `id="peer-agents"`) || !strings.Contains(res.body, `data-peer="mona/a1"`) || !strings.Contains(res.body, `href="/s/sess-a"`) {
		t.Errorf("mona's page = %d; want her agent and its session: %s", res.status, res.body)
	}
	if res := f.do(http.MethodGet, "/team/p/nobody", "", vera, nil); res.status != http.StatusNotFound || !strings.Contains(res.body, "Team page lists every peer") {
		t.Errorf("an unknown peer = %d %s, want 404 saying where to look", res.status, res.body)
	}
}

// The typing endpoint refuses a viewer (they cannot write) and a bad
// recipient with a message saying what to send.
func TestInboxTypingChecksInput(t *testing.T) {
	w := newAccessWorld(t)
	f := w.f
	if res := f.do(http.MethodPost, "/inbox/typing", form("to", "*"), cred{cookie: w.viewerCookie()}, nil); res.status != http.StatusForbidden {
		t.Errorf("typing as a viewer = %d, want 403", res.status)
	}
	mona := cred{cookie: w.memberCookie()}
	if res := f.do(http.MethodPost, "/inbox/typing", form("to", ""), mona, nil); res.status != http.StatusBadRequest {
		t.Errorf("typing to nobody = %d %s, want 400", res.status, res.body)
	}
	if res := f.do(http.MethodPost, "/inbox/typing", form("to", "vera"), mona, nil); res.status != http.StatusNoContent {
		t.Errorf("typing to vera = %d %s, want 204", res.status, res.body)
	}
	if res := f.do(http.MethodGet, "/inbox/typing", "", cred{cookie: w.viewerCookie()}, nil); !strings.Contains(res.body, "mona is typing") {
		t.Errorf("vera's typing line = %d %q, want mona is typing", res.status, res.body)
	}
}
