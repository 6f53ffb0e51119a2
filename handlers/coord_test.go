package handlers

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/ct-dev/ct/auth"
)

// The coordination API over the whole router with real tokens: identity
// from the token, X-CT-Peer names bound to their user, limits and refusals
// with their statuses and words.
func TestCoordAPI(t *testing.T) {
	f := newAuthFixture(t, fixtureOpts{adminPassword: "admin-password-42"})
	f.addUser("mona", auth.RoleMember)
	f.addUser("vera", auth.RoleViewer)
	mona, _ := f.token("mona", auth.KindAPI, auth.RoleMember, "")
	admin, _ := f.token("admin", auth.KindAPI, auth.RoleAdmin, "")
	vera, _ := f.token("vera", auth.KindAPI, auth.RoleViewer, "")
	as := func(tok, peer string) (cred, map[string]string) {
		return cred{bearer: tok}, map[string]string{PeerHeader: peer}
	}

	// Peers come into being on first use, bound to their user.
	c, h := as(admin, "builder")
	if res := f.do("GET", "/api/v1/peers/me", "", c, h); res.status != 200 || !strings.Contains(res.body, `"owner":"admin"`) {
		t.Fatalf("admin as builder: %d %s", res.status, res.body)
	}
	c, h = as(mona, "builder")
	if res := f.do("GET", "/api/v1/messages", "", c, h); res.status != http.StatusConflict || !strings.Contains(res.body, "taken by user admin") {
		t.Fatalf("mona claiming admin's peer name: %d %s", res.status, res.body)
	}
	c, h = as(mona, "reviewer")
	f.do("GET", "/api/v1/peers/me", "", c, h)

	// Sending: to an existing peer, within limits, without credentials.
	c, h = as(admin, "builder")
	res := f.do("POST", "/api/v1/messages", `{"to":"reviewer","type":"question","subject":"ok?","body":"please look"}`, c, h)
	var m struct{ ID, From string }
	if res.status != http.StatusCreated || json.Unmarshal([]byte(res.body), &m) != nil || m.From != "builder" {
		t.Fatalf("send: %d %s", res.status, res.body)
	}
	big := `{"to":"reviewer","body":"` + strings.Repeat("x", 100<<10+1) + `"}`
	if res := f.do("POST", "/api/v1/messages", big, c, h); res.status != http.StatusRequestEntityTooLarge || !strings.Contains(res.body, "100 KB") {
		t.Fatalf("over 100 KB: %d %.200s", res.status, res.body)
	}
	if res := f.do("POST", "/api/v1/messages", `{"to":"reviewer","body":"-----BEGIN RSA PRIVATE KEY-----"}`, c, h); res.status != 400 || !strings.Contains(res.body, "private key") {
		t.Fatalf("a private key: %d %s", res.status, res.body)
	}
	if res := f.do("POST", "/api/v1/messages", `{"to":"reviewer","body":"x","from":"someone-else","late":true}`, c, h); res.status != 201 ||
		!strings.Contains(res.body, `"from":"builder"`) || strings.Contains(res.body, "late") {
		t.Fatalf("a forged from and late flag must be ignored: %d %s", res.status, res.body)
	}
	if res := f.do("POST", "/api/v1/messages", `{"to":"reviewer","body":"x","sender":"y"}`, c, h); res.status != 400 {
		t.Fatalf("an unknown field: %d %s", res.status, res.body)
	}
	if res := f.do("POST", "/api/v1/messages", `{"to":"nobody","body":"x"}`, c, h); res.status != 404 {
		t.Fatalf("to an unknown peer: %d %s", res.status, res.body)
	}

	// The recipient reads and acknowledges; others cannot see it.
	c, h = as(mona, "reviewer")
	if res := f.do("GET", "/api/v1/messages?unread=1&q=please", "", c, h); !strings.Contains(res.body, `"please look"`) {
		t.Fatalf("reviewer's unread: %s", res.body)
	}
	if res := f.do("POST", "/api/v1/messages/"+m.ID+"/ack", "", c, h); res.status != 200 || !strings.Contains(res.body, `"acked_at"`) {
		t.Fatalf("ack: %d %s", res.status, res.body)
	}
	if res := f.do("GET", "/api/v1/messages/"+m.ID, "", cred{bearer: vera}, nil); res.status != 404 {
		t.Fatalf("a third party read a message: %d %s", res.status, res.body)
	}

	// Viewers read but do not change.
	if res := f.do("POST", "/api/v1/todos", `{"title":"x"}`, cred{bearer: vera}, nil); res.status != 403 {
		t.Fatalf("viewer adds a todo: %d %s", res.status, res.body)
	}
	if res := f.do("GET", "/api/v1/locks", "", cred{bearer: vera}, nil); res.status != 200 {
		t.Fatalf("viewer lists locks: %d %s", res.status, res.body)
	}

	// Locks: a refusal names the holder; only an admin breaks another's.
	c, h = as(mona, "reviewer")
	if res := f.do("POST", "/api/v1/locks", `{"name":"db/schema","ttl":"5m","reason":"migration"}`, c, h); res.status != 200 {
		t.Fatalf("lock: %d %s", res.status, res.body)
	}
	c, h = as(admin, "builder")
	if res := f.do("POST", "/api/v1/locks", `{"name":"db/schema"}`, c, h); res.status != 409 || !strings.Contains(res.body, "held by reviewer until") {
		t.Fatalf("taken lock: %d %s", res.status, res.body)
	}
	if res := f.do("DELETE", "/api/v1/locks/db/schema", "", c, h); res.status != 403 {
		t.Fatalf("release another's lock without force: %d %s", res.status, res.body)
	}
	if res := f.do("DELETE", "/api/v1/locks/db/schema?force=1", "", c, h); res.status != 204 {
		t.Fatalf("admin breaks it: %d %s", res.status, res.body)
	}
	if res := f.do("POST", "/api/v1/locks", `{"name":"x","ttl":"forever"}`, c, h); res.status != 400 {
		t.Fatalf("bad ttl: %d %s", res.status, res.body)
	}
}
