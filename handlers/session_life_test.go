package handlers

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ct-dev/ct/auth"
	"github.com/ct-dev/ct/wire"
)

// shareLink pulls the share link the life page shows once.
var shareLink = regexp.MustCompile(`/v/([A-Za-z0-9_.-]+)`)

func TestShareLinkIsReadOnlyAndRevokeClosesItsStreams(t *testing.T) {
	f := newAuthFixture(t, fixtureOpts{})
	mtok, _ := f.token("admin", auth.KindMachine, "", "box")
	w, err := f.dialWrap(mtok, "box", "sess-share-1", 80, 24)
	if err != nil {
		t.Fatal(err)
	}
	defer w.close()
	w.live()
	admin := cred{cookie: f.cookie("admin", time.Hour)}
	res := f.do("POST", "/s/sess-share-1/shares", form("age", "1h"), admin, nil)
	m := shareLink.FindStringSubmatch(res.body)
	if res.status != 200 || m == nil {
		t.Fatalf("create a share: %d %.300s", res.status, res.body)
	}
	token := m[1]
	page := f.do("GET", "/v/"+token, "", cred{}, nil) // no login
	if page.status != 200 || !strings.Contains(page.body, `id="scr"`) {
		t.Fatalf("share page without login: %d %.300s", page.status, page.body)
	}
	for _, control := range []string{"input-form", "/input", "/wheel", "/manage", "/stop", "presence"} {
		if strings.Contains(page.body, control) {
			t.Errorf("the share page offers %q; it must be read-only", control)
		}
	}
	stream, _ := sseEventsAs(t, f.ts.URL+"/v/"+token+"/events?v=share1", cred{})
	w.output("shared-screen-text")
	waitEvent(t, stream, "shared-screen-text")

	if bad := f.do("GET", "/v/"+token[:len(token)-2]+"xx", "", cred{}, nil); bad.status != 404 {
		t.Errorf("a forged share token = %d, want 404", bad.status)
	}
	// The screen is live before the frame is stored: ask until it is.
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		lg := f.do("GET", "/v/"+token+"/log", "", cred{}, nil)
		if lg.status == 200 && strings.Contains(lg.body, "shared-screen-text") {
			break
		}
		if lg.status != 200 || time.Now().After(deadline) {
			t.Fatalf("the share's log without login = %d %.200q, want 200 with the output", lg.status, lg.body)
		}
	}
	if bad := f.do("GET", "/v/"+token[:len(token)-2]+"xx/log", "", cred{}, nil); bad.status != 404 {
		t.Errorf("a forged share token's log = %d, want 404", bad.status)
	}
	id := strings.SplitN(token, ".", 2)[0]
	if res := f.do("POST", "/s/sess-share-1/shares/"+id+"/revoke", "", admin, nil); res.status != 303 {
		t.Fatalf("revoke: %d %.200s", res.status, res.body)
	}
	endOf(t, stream, "a revoked share link's stream")
	if res := f.do("GET", "/v/"+token, "", cred{}, nil); res.status != 410 {
		t.Errorf("the share page after revoke = %d, want 410", res.status)
	}
	if res := f.do("GET", "/v/"+token+"/log", "", cred{}, nil); res.status != 410 {
		t.Errorf("the share's log after revoke = %d, want 410", res.status)
	}
	if res := f.do("GET", "/v/"+token+"/events?v=share2", "", cred{}, nil); res.status != 410 {
		t.Errorf("the share stream after revoke = %d, want 410", res.status)
	}
	if res := f.do("POST", "/s/sess-share-1/shares", form("age", "200h"), admin, nil); res.status != 400 {
		t.Errorf("a share longer than --max-share-age = %d, want 400", res.status)
	}
}

func TestStopAsksTheWrapToEndItsProgram(t *testing.T) {
	f := newAuthFixture(t, fixtureOpts{deps: func(d *Deps) { d.StopGrace = 3 * time.Second }})
	mtok, _ := f.token("admin", auth.KindMachine, "", "box")
	w, err := f.dialWrap(mtok, "box", "sess-stop-1", 80, 24)
	if err != nil {
		t.Fatal(err)
	}
	defer w.close()
	w.live()
	if res := f.do("POST", "/s/sess-stop-1/stop", "", cred{cookie: f.cookie("admin", time.Hour)}, nil); res.status != 303 {
		t.Fatalf("stop: %d %.200s", res.status, res.body)
	}
	timeout := time.After(10 * time.Second)
	for {
		select {
		case e := <-w.got:
			if e.Type != wire.TypeSessionStop {
				continue
			}
			var m wire.SessionStop
			if err := json.Unmarshal(e.Payload, &m); err != nil || m.GraceMS != 3000 || m.By != "admin" {
				t.Fatalf("session.stop = %s (%v), want grace 3000 ms by admin", e.Payload, err)
			}
			return
		case <-timeout:
			t.Fatal("the wrap got no session.stop")
		}
	}
}

func TestArchiveHidesAndRestoreShows(t *testing.T) {
	f := newAuthFixture(t, fixtureOpts{})
	f.session("sess-arch-1", "box")
	admin := cred{cookie: f.cookie("admin", time.Hour)}
	if res := f.do("POST", "/s/sess-arch-1/archive", form("archived", "1"), admin, nil); res.status != 303 {
		t.Fatalf("archive: %d %.200s", res.status, res.body)
	}
	if lobby := f.do("GET", "/", "", admin, nil); strings.Contains(lobby.body, "/s/sess-arch-1") || !strings.Contains(lobby.body, `href="/archived"`) {
		t.Errorf("the lobby after archive lists the session or no Archived link: %.400s", lobby.body)
	}
	if list := f.do("GET", "/archived", "", admin, nil); !strings.Contains(list.body, "/s/sess-arch-1") {
		t.Errorf("/archived does not list the archived session")
	}
	if res := f.do("POST", "/s/sess-arch-1/archive", form("archived", "0"), admin, nil); res.status != 303 {
		t.Fatalf("restore: %d", res.status)
	}
	if lobby := f.do("GET", "/", "", admin, nil); !strings.Contains(lobby.body, "/s/sess-arch-1") {
		t.Errorf("the lobby after restore does not list the session")
	}
}

func TestForgetDeletesForOwnerOrAdminOnly(t *testing.T) {
	f := newAuthFixture(t, fixtureOpts{})
	f.session("sess-forget-1", "box")
	f.addUser("mia", auth.RoleMember, "box") // may drive box, but it is not hers
	mia := cred{cookie: f.cookie("mia", time.Hour)}
	if res := f.do("POST", "/s/sess-forget-1/forget", form("confirm", "yes"), mia, nil); res.status != 403 {
		t.Errorf("forget by a member who does not own the machine = %d, want 403", res.status)
	}
	f.session("sess-forget-own", "box")
	f.addUser("otto", auth.RoleMember, "box")
	f.token("otto", auth.KindMachine, "", "box") // box is otto's workstation
	if res := f.do("POST", "/s/sess-forget-own/forget", form("confirm", "yes"), cred{cookie: f.cookie("otto", time.Hour)}, nil); res.status != 303 {
		t.Errorf("forget by the machine's owner = %d %.200s, want 303", res.status, res.body)
	}
	admin := cred{cookie: f.cookie("admin", time.Hour)}
	if res := f.do("POST", "/s/sess-forget-1/forget", "", admin, nil); res.status != 400 {
		t.Errorf("forget without confirming = %d, want 400", res.status)
	}
	if res := f.do("POST", "/s/sess-forget-1/forget", form("confirm", "yes"), admin, nil); res.status != 303 {
		t.Fatalf("forget: %d %.200s", res.status, res.body)
	}
	if res := f.do("GET", "/api/v1/sessions/sess-forget-1", "", admin, nil); res.status != 404 {
		t.Errorf("the API after forget = %d, want 404", res.status)
	}
	// The audit writer queues entries: wait until the entry is written.
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(f.do("GET", "/admin/audit", "", admin, nil).body, "session.forget"); {
		if time.Now().After(deadline) {
			t.Fatal("forget is not in the audit log")
		}
		time.Sleep(20 * time.Millisecond)
	}
	mtok, _ := f.token("admin", auth.KindMachine, "", "box")
	w, err := f.dialWrap(mtok, "box", "sess-forget-2", 80, 24)
	if err != nil {
		t.Fatal(err)
	}
	defer w.close()
	w.live()
	if res := f.do("POST", "/s/sess-forget-2/forget", form("confirm", "yes"), admin, nil); res.status != 409 {
		t.Errorf("forget of a live session = %d, want 409", res.status)
	}
}

func TestSessionLifeJSONAPI(t *testing.T) {
	f := newAuthFixture(t, fixtureOpts{deps: func(d *Deps) { d.StopGrace = 2 * time.Second }})
	f.session("sess-api-1", "box")
	api, _ := f.token("admin", auth.KindAPI, "", "")
	admin := cred{bearer: api}
	res := f.do("POST", "/api/v1/sessions/sess-api-1/archive", "", admin, nil)
	if res.status != 200 || !strings.Contains(res.body, `"archived":true`) {
		t.Fatalf("archive over the API: %d %.300s", res.status, res.body)
	}
	if list := f.do("GET", "/archived", "", cred{cookie: f.cookie("admin", time.Hour)}, nil); !strings.Contains(list.body, "/s/sess-api-1") {
		t.Errorf("/archived does not list the session archived over the API")
	}
	res = f.do("POST", "/api/v1/sessions/sess-api-1/restore", "", admin, nil)
	if res.status != 200 || strings.Contains(res.body, `"archived":true`) {
		t.Fatalf("restore over the API: %d %.300s", res.status, res.body)
	}
	f.addUser("mia", auth.RoleMember, "box") // may drive box, does not own it
	miaAPI, _ := f.token("mia", auth.KindAPI, "", "")
	if res := f.do("DELETE", "/api/v1/sessions/sess-api-1", "", cred{bearer: miaAPI}, nil); res.status != 403 {
		t.Errorf("DELETE by a member who does not own the machine = %d, want 403", res.status)
	}
	if res := f.do("DELETE", "/api/v1/sessions/sess-api-1", "", admin, nil); res.status != 204 {
		t.Fatalf("DELETE: %d %.200s", res.status, res.body)
	}
	if res := f.do("GET", "/api/v1/sessions/sess-api-1", "", admin, nil); res.status != 404 {
		t.Errorf("the session after DELETE = %d, want 404", res.status)
	}

	mtok, _ := f.token("admin", auth.KindMachine, "", "box")
	w, err := f.dialWrap(mtok, "box", "sess-api-2", 80, 24)
	if err != nil {
		t.Fatal(err)
	}
	defer w.close()
	w.live()
	if res := f.do("POST", "/api/v1/sessions/sess-api-2/archive", "", admin, nil); res.status != 409 {
		t.Errorf("archive of a live session = %d, want 409", res.status)
	}
	if res := f.do("POST", "/api/v1/sessions/sess-api-2/stop", "", admin, nil); res.status != 202 {
		t.Fatalf("stop over the API: %d %.200s", res.status, res.body)
	}
	for timeout := time.After(10 * time.Second); ; {
		select {
		case e := <-w.got:
			if e.Type == wire.TypeSessionStop {
				return
			}
		case <-timeout:
			t.Fatal("the wrap got no session.stop from the API")
		}
	}
}
