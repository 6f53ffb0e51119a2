package handlers

import (
	"net/http"
	"strings"
	"testing"

	"github.com/ct-dev/ct/auth"
)

// The REST side of private spaces: box=private and scope= are taken, bad
// values are a 400 that names the valid ones, and an admin's whole-hub view
// and the one-message read stop at another person's private space.
func TestCoordAPIPrivateSpace(t *testing.T) {
	f := newAuthFixture(t, fixtureOpts{adminPassword: "admin-password-42"})
	f.addUser("mona", auth.RoleMember)
	mona, _ := f.token("mona", auth.KindAPI, auth.RoleMember, "")
	admin, _ := f.token("admin", auth.KindAPI, auth.RoleAdmin, "")
	agent := map[string]string{PeerHeader: "mona/agent"}
	res := f.do("POST", "/api/v1/messages", `{"to":"me","subject":"diary","body":"dear diary"}`, cred{bearer: mona}, agent)
	if res.status != http.StatusCreated || !strings.Contains(res.body, `"private":"mona"`) || !strings.Contains(res.body, `"to":"private:mona"`) {
		t.Fatalf("send to me: %d %s", res.status, res.body)
	}
	if res := f.do("POST", "/api/v1/todos", `{"title":"dentist","private":"me"}`, cred{bearer: mona}, nil); res.status != http.StatusCreated || !strings.Contains(res.body, `"private":"mona"`) {
		t.Fatalf("private todo: %d %s", res.status, res.body)
	}
	if res := f.do("GET", "/api/v1/messages?box=private", "", cred{bearer: mona}, nil); res.status != 200 || !strings.Contains(res.body, "dear diary") {
		t.Fatalf("mona's box=private: %d %s", res.status, res.body)
	}
	if res := f.do("GET", "/api/v1/todos?scope=private", "", cred{bearer: mona}, agent); res.status != 200 || !strings.Contains(res.body, "dentist") {
		t.Fatalf("her agent's scope=private: %d %s", res.status, res.body)
	}
	for _, q := range []string{"/api/v1/messages?box=hub", "/api/v1/messages/1", "/api/v1/todos"} {
		if res := f.do("GET", q, "", cred{bearer: admin}, nil); strings.Contains(res.body, "diary") || strings.Contains(res.body, "dentist") {
			t.Fatalf("admin GET %s: %d %s", q, res.status, res.body)
		}
	}
	if res := f.do("GET", "/api/v1/todos?scope=mine", "", cred{bearer: mona}, nil); res.status != 400 || !strings.Contains(res.body, "shared") || !strings.Contains(res.body, "private") {
		t.Fatalf("a bad scope: %d %s", res.status, res.body)
	}
	if res := f.do("GET", "/api/v1/messages?box=secret", "", cred{bearer: mona}, nil); res.status != 400 || !strings.Contains(res.body, "private (your private space)") {
		t.Fatalf("a bad box: %d %s", res.status, res.body)
	}
	if res := f.do("GET", "/api/v1/peers/me", "", cred{bearer: mona}, map[string]string{PeerHeader: "me"}); res.status != 400 || !strings.Contains(res.body, "kept for private spaces") {
		t.Fatalf("peer named me: %d %s", res.status, res.body)
	}
}
