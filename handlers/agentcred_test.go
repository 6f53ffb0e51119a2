package handlers

import (
	"net/http"
	"strings"
	"testing"

	"github.com/ct-dev/ct/auth"
)

// The attack: the wrapped agent uses its session credential (even one made
// for an admin) to approve its own prompt, type into a session or stream.
// Every route but coordination refuses it; coordination works.
func TestAgentCredentialCoordinatesOnly(t *testing.T) {
	w := newAccessWorld(t)
	f := w.f
	agent, _ := f.token("admin", auth.KindAgent, "", "box-a")
	c := cred{name: "agent credential", bearer: agent}
	for _, r := range walkRoutes(t, f.srv) {
		if a := accessOf(r); a == public || a == linkOnly {
			continue
		}
		path := fill(t, r.pattern, w.granted)
		res := f.do(r.method, path, requestBodies[r.key()], c, nil)
		if bare, _, _ := strings.Cut(path, "?"); agentRoute(r.method, bare) {
			// A shared file's bytes need a live sharing wrap: this world has
			// none, so the call only has to get past authorisation.
			reachOnly := r.key() == "GET /api/v1/files/content" && res.status != http.StatusUnauthorized && res.status != http.StatusForbidden
			if r.method == http.MethodGet && !strings.Contains(r.pattern, "{") && res.status >= 400 && !reachOnly {
				t.Errorf("%s %s with an agent credential = %d, want coordination to work; body %.200s", r.method, path, res.status, res.body)
			}
			continue
		}
		if res.status != http.StatusUnauthorized && res.status != http.StatusForbidden {
			t.Errorf("%s %s with an agent credential = %d, want 401 or 403; body %.200s", r.method, path, res.status, res.body)
		}
	}
	if p, _ := f.store.GetPrompt(w.granted.prompt); p.State != "pending" {
		t.Fatalf("the agent's credential settled a prompt: %+v", p)
	}
}
