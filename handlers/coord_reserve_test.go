package handlers

import (
	"strings"
	"testing"

	"github.com/ct-dev/ct/auth"
)

// Reservations and state keys over the whole router: the holder comes
// from the token, a viewer may check and read but not reserve or set, the
// check names the holder, and a state long-poll with nothing new is 204.
func TestReservationAndStateAPI(t *testing.T) {
	f := newAuthFixture(t, fixtureOpts{adminPassword: "admin-password-42"})
	f.addUser("mona", auth.RoleMember)
	f.addUser("vera", auth.RoleViewer)
	mona, _ := f.token("mona", auth.KindAPI, auth.RoleMember, "")
	vera, _ := f.token("vera", auth.KindAPI, auth.RoleViewer, "")
	m, v := cred{bearer: mona}, cred{bearer: vera}

	res := f.do("POST", "/api/v1/reservations", `{"repo":"github.com/o/r","globs":["db/**"],"ttl":"5m","reason":"migration","holder":"vera"}`, m, nil)
	if res.status != 400 {
		t.Fatalf("a body naming the holder must be refused (unknown field): %d %s", res.status, res.body)
	}
	if res = f.do("POST", "/api/v1/reservations", `{"repo":"github.com/o/r","globs":["db/**"],"ttl":"5m","reason":"migration"}`, m, nil); res.status != 201 {
		t.Fatalf("reserve: %d %s", res.status, res.body)
	}
	if res = f.do("POST", "/api/v1/reservations", `{"repo":"github.com/o/r","globs":["x"]}`, v, nil); res.status != 403 {
		t.Fatalf("viewer reserves: %d %s", res.status, res.body)
	}
	res = f.do("POST", "/api/v1/reservations/check", `{"repo":"github.com/o/r","paths":["db/a.sql","README"]}`, v, nil)
	if res.status != 200 || !strings.Contains(res.body, `"path":"db/a.sql"`) || strings.Contains(res.body, `"path":"README"`) || !strings.Contains(res.body, `"reason":"migration"`) {
		t.Fatalf("check: %d %s", res.status, res.body)
	}
	if res = f.do("DELETE", "/api/v1/reservations/r1", "", v, nil); res.status != 403 {
		t.Fatalf("viewer releases: %d %s", res.status, res.body)
	}

	if res = f.do("PUT", "/api/v1/state/build", `{"value":"green"}`, v, nil); res.status != 403 {
		t.Fatalf("viewer sets state: %d %s", res.status, res.body)
	}
	if res = f.do("PUT", "/api/v1/state/build", `{"value":"green"}`, m, nil); res.status != 200 || !strings.Contains(res.body, `"version":1`) {
		t.Fatalf("set: %d %s", res.status, res.body)
	}
	if res = f.do("GET", "/api/v1/state/build?after=1&wait=1ms", "", v, nil); res.status != 204 {
		t.Fatalf("long-poll with nothing new: %d %s", res.status, res.body)
	}
	if res = f.do("GET", "/api/v1/state/build?after=0&wait=1ms", "", v, nil); res.status != 200 || !strings.Contains(res.body, `"value":"green"`) {
		t.Fatalf("long-poll behind: %d %s", res.status, res.body)
	}
	if res = f.do("PUT", "/api/v1/state/build", `{"value":"ct`+`a_0123456789abcdef_ABCDEFGHIJKLMNOPQRSTUV"}`, m, nil); res.status != 400 {
		t.Fatalf("a token as a state value: %d %s", res.status, res.body)
	}
}
