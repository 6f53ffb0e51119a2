package handlers

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/ct-dev/ct/auth"
	"github.com/ct-dev/ct/db"
)

// Webhooks: the secret never reaches the debug request log; nobody lists
// hashes (a viewer sees none of them at all); a hook stops when its token
// is revoked or its maker disabled; its maker can rotate it (the old URL
// refused) and delete it.
func TestWebhookLifecycleAttacks(t *testing.T) {
	var logs lockedBuffer
	f := newAuthFixture(t, fixtureOpts{deps: func(d *Deps) {
		d.Log = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}})
	f.addUser("mona", auth.RoleMember)
	f.addUser("vera", auth.RoleViewer)
	mona, monaID := f.token("mona", auth.KindAPI, auth.RoleMember, "")
	vera, _ := f.token("vera", auth.KindAPI, auth.RoleViewer, "")
	c := cred{bearer: mona}
	f.do("GET", "/api/v1/peers/me", "", cred{bearer: vera}, nil) // vera's peer exists

	res := f.do("POST", "/api/v1/hooks", `{"name":"ci","to":"*"}`, c, nil)
	var made struct {
		Hook   struct{ ID string } `json:"hook"`
		Secret string              `json:"secret"`
		Path   string              `json:"path"`
	}
	if res.status != 201 || json.Unmarshal([]byte(res.body), &made) != nil || strings.Contains(res.body, "secret_hash") {
		t.Fatalf("add: %d %s", res.status, res.body)
	}
	if res := f.do("POST", made.Path, `{"title":"build 1"}`, cred{}, nil); res.status != 201 {
		t.Fatalf("deliver: %d %s", res.status, res.body)
	}
	if strings.Contains(logs.String(), made.Secret) {
		t.Errorf("the webhook secret is in the hub log:\n%s", logs.String())
	}
	if res := f.do("GET", "/api/v1/hooks", "", cred{bearer: vera}, nil); res.status != 200 || strings.Contains(res.body, made.Hook.ID) {
		t.Errorf("a viewer lists another user's webhook: %d %s", res.status, res.body)
	}
	if res := f.do("GET", "/api/v1/hooks", "", c, nil); !strings.Contains(res.body, made.Hook.ID) || strings.Contains(res.body, "secret_hash") {
		t.Errorf("the maker's list: %s", res.body)
	}
	if res := f.do("DELETE", "/api/v1/hooks/"+made.Hook.ID, "", cred{bearer: vera}, nil); res.status != 403 && res.status != 404 {
		t.Errorf("a viewer deletes it: %d", res.status)
	}

	// Revoking the token it was made with stops it.
	if _, err := f.store.UpdateToken(monaID, func(t *db.Token) error { t.Revoked = true; return nil }); err != nil {
		t.Fatal(err)
	}
	if res := f.do("POST", made.Path, `{"title":"after revoke"}`, cred{}, nil); res.status != http.StatusForbidden {
		t.Errorf("deliver after the token was revoked: %d %s", res.status, res.body)
	}

	// Rotating replaces the URL; a hook stops when its maker is disabled.
	mona2, _ := f.token("mona", auth.KindAPI, auth.RoleMember, "")
	c = cred{bearer: mona2}
	res = f.do("POST", "/api/v1/hooks", `{"name":"ci3","to":"*"}`, c, nil)
	_ = json.Unmarshal([]byte(res.body), &made)
	rot := f.do("POST", "/api/v1/hooks/"+made.Hook.ID+"/rotate", "", c, nil)
	old := made.Path
	if rot.status != 200 || json.Unmarshal([]byte(rot.body), &made) != nil || made.Path == old {
		t.Fatalf("rotate: %d %s", rot.status, rot.body)
	}
	if res := f.do("POST", old, `{}`, cred{}, nil); res.status != 404 {
		t.Errorf("the old URL after rotating: %d", res.status)
	}
	if res := f.do("POST", made.Path, `{}`, cred{}, nil); res.status != 201 {
		t.Errorf("the new URL: %d %s", res.status, res.body)
	}
	if _, err := f.store.UpdateUser("mona", func(u *db.User) error { u.Disabled = true; return nil }); err != nil {
		t.Fatal(err)
	}
	if res := f.do("POST", made.Path, `{}`, cred{}, nil); res.status != http.StatusForbidden {
		t.Errorf("deliver after the maker was disabled: %d %s", res.status, res.body)
	}
	if _, err := f.store.UpdateUser("mona", func(u *db.User) error { u.Disabled = false; return nil }); err != nil {
		t.Fatal(err)
	}
	if res := f.do("DELETE", "/api/v1/hooks/"+made.Hook.ID, "", c, nil); res.status != 204 {
		t.Fatalf("delete: %d %s", res.status, res.body)
	}
	if res := f.do("POST", made.Path, `{}`, cred{}, nil); res.status != 404 {
		t.Errorf("deliver after delete: %d", res.status)
	}
}

// Peers on machines the caller is not granted are listed without their
// machine, directory and session (on the list and on the event stream).
func TestPeersHideUngrantedMachines(t *testing.T) {
	f := newAuthFixture(t, fixtureOpts{})
	f.addUser("ann", auth.RoleMember, "box-a")
	f.addUser("bob", auth.RoleMember, "box-b")
	f.session("sess-a", "box-a")
	ann, _ := f.token("ann", auth.KindAPI, auth.RoleMember, "")
	bob, _ := f.token("bob", auth.KindAPI, auth.RoleMember, "")
	agent := map[string]string{PeerHeader: "ann/agent"}
	if res := f.do("PATCH", "/api/v1/peers/me", `{"machine":"box-a","cwd":"/srv/secret-project","session":"sess-a"}`, cred{bearer: ann}, agent); res.status != 200 {
		t.Fatalf("update: %d %s", res.status, res.body)
	}
	res := f.do("GET", "/api/v1/peers", "", cred{bearer: bob}, nil)
	if res.status != 200 || !strings.Contains(res.body, "ann/agent") {
		t.Fatalf("bob's list: %d %s", res.status, res.body)
	}
	for _, leak := range []string{"box-a", "secret-project", "sess-a"} {
		if strings.Contains(res.body, leak) {
			t.Errorf("bob (no grant on box-a) sees %q: %s", leak, res.body)
		}
	}
	if res := f.do("GET", "/api/v1/peers", "", cred{bearer: ann}, nil); !strings.Contains(res.body, "secret-project") {
		t.Errorf("ann (granted) does not see her agent's cwd: %s", res.body)
	}
}

// lockedBuffer is a bytes.Buffer the hub's goroutines may log into.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
