package handlers

import (
	"strings"
	"testing"
	"time"

	"github.com/ct-dev/ct/auth"
)

// Finding 9: what a credential opened closes when the credential goes.

func TestRevokeClosesStreams(t *testing.T) {
	f := newAuthFixture(t, fixtureOpts{})
	f.addUser("vic", auth.RoleViewer, "box")
	tok, id := f.token("vic", auth.KindAPI, auth.RoleViewer, "")
	page, _ := sseEvents(t, f.ts.URL+"/events/lobby?v=rev", tok)
	api, _ := sseEvents(t, f.ts.URL+"/api/v1/events", tok)
	firstOf(t, page, "lobby")
	firstOf(t, api, "api events")
	admin, _ := f.token("admin", auth.KindAPI, auth.RoleAdmin, "")
	if res := f.do("DELETE", "/api/v1/tokens/"+id, "", cred{bearer: admin}, nil); res.status != 200 {
		t.Fatalf("revoke: %d %s", res.status, res.body)
	}
	endOf(t, page, "the page stream of a revoked token")
	endOf(t, api, "/api/v1/events of a revoked token")
}

func TestLogoutClosesStreams(t *testing.T) {
	f := newAuthFixture(t, fixtureOpts{})
	f.addUser("vic", auth.RoleViewer, "box")
	c := cred{cookie: f.cookie("vic", time.Hour)}
	other := cred{cookie: f.cookie("vic", time.Hour)} // another browser of the same person
	page, _ := sseEventsAs(t, f.ts.URL+"/events/lobby?v=lo", c)
	stays, _ := sseEventsAs(t, f.ts.URL+"/events/lobby?v=lo2", other)
	firstOf(t, page, "lobby")
	firstOf(t, stays, "other browser's lobby")
	if res := f.do("POST", "/logout", "", c, nil); res.status != 303 {
		t.Fatalf("logout: %d", res.status)
	}
	endOf(t, page, "the page stream of a logged-out browser")
	select {
	case _, ok := <-stays:
		if !ok {
			t.Fatal("logging out one browser closed another browser's stream")
		}
	default:
	}
}

func TestDisableClosesStreamsAndSockets(t *testing.T) {
	f := newAuthFixture(t, fixtureOpts{})
	f.addUser("mia", auth.RoleMember, "box")
	tok, _ := f.token("mia", auth.KindAPI, auth.RoleMember, "")
	mtok, _ := f.token("mia", auth.KindMachine, "", "box")
	page, _ := sseEvents(t, f.ts.URL+"/events/lobby?v=dis", tok)
	api, _ := sseEvents(t, f.ts.URL+"/api/v1/events", tok)
	firstOf(t, page, "lobby")
	firstOf(t, api, "api events")
	w, err := f.dialWrap(mtok, "box", "sess-disable-1", 80, 24)
	if err != nil {
		t.Fatal(err)
	}
	defer w.close()
	w.live()
	admin := cred{cookie: f.cookie("admin", time.Hour)}
	if res := f.do("POST", "/admin/users/mia", form("role", "member", "grants", "box", "disabled", "on"), admin, nil); res.status != 303 {
		t.Fatalf("disable: %d %.200s", res.status, res.body)
	}
	endOf(t, page, "a disabled person's page")
	endOf(t, api, "a disabled person's /api/v1/events")
	if err := w.ended(10 * time.Second); err != nil && strings.Contains(err.Error(), "still open") {
		t.Fatal(err)
	}
}

// A machine token is refused once its maker may no longer drive its
// machine, and its open socket closes when the grant is cut.
func TestMachineTokenFollowsMakersGrant(t *testing.T) {
	f := newAuthFixture(t, fixtureOpts{})
	f.addUser("mia", auth.RoleMember, "box")
	mtok, _ := f.token("mia", auth.KindMachine, "", "box")
	w, err := f.dialWrap(mtok, "box", "sess-grant-1", 80, 24)
	if err != nil {
		t.Fatal(err)
	}
	defer w.close()
	w.live()
	admin := cred{cookie: f.cookie("admin", time.Hour)}
	if res := f.do("POST", "/admin/users/mia", form("role", "member", "grants", "elsewhere"), admin, nil); res.status != 303 {
		t.Fatalf("edit grants: %d", res.status)
	}
	if err := w.ended(10 * time.Second); err != nil && strings.Contains(err.Error(), "still open") {
		t.Fatal("the wrap of a machine whose grant its maker lost is still connected")
	}
	if _, err := f.dialWrap(mtok, "box", "sess-grant-1", 80, 24); err == nil || !strings.Contains(err.Error(), "403") {
		t.Fatalf("a machine token whose maker lost the grant connected again: %v", err)
	}
}
