package bench

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/ct-dev/ct/audit"
	"github.com/ct-dev/ct/auth"
	"github.com/ct-dev/ct/coord"
	"github.com/ct-dev/ct/db"
	"github.com/ct-dev/ct/handlers"
	"github.com/ct-dev/ct/hub"
)

// authHub is the whole HTTP surface in process on a real store holding
// people, browser logins and tokens, as a busy team's hub would.
type authHub struct {
	srv                          *handlers.Server
	cookie, api, machine, passwd string
}

func newAuthHub(b *testing.B) *authHub {
	b.Helper()
	store, err := db.Open(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	h, err := hub.New(store, log, hub.Options{})
	if err != nil {
		b.Fatal(err)
	}
	a := &authHub{passwd: "bench-password-123"}
	hash, err := auth.HashPassword(a.passwd)
	if err != nil {
		b.Fatal(err)
	}
	now := time.Now().UTC()
	// 100 people, each with 10 browser logins and 10 tokens: lookups are by
	// id in a B+tree, so this is about realism, not a cliff.
	for i := range 100 {
		name := fmt.Sprintf("user%03d", i)
		role := auth.RoleMember
		if i == 0 {
			name, role = "admin", auth.RoleAdmin
		}
		if err := store.CreateUser(db.User{Name: name, Role: role, Grants: []string{auth.AllMachines}, PasswordHash: hash, CreatedAt: now}); err != nil {
			b.Fatal(err)
		}
		for j := range 10 {
			plain, id, th := auth.NewToken(auth.KindSession)
			if err := store.PutWebSession(db.WebSession{ID: id, Hash: th, User: name, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}); err != nil {
				b.Fatal(err)
			}
			kind := auth.KindAPI
			if j%2 == 1 {
				kind = auth.KindMachine
			}
			tplain, tid, tth := auth.NewToken(kind)
			t := db.Token{ID: tid, Hash: tth, Kind: kind, Name: tid, User: name, CreatedAt: now}
			if kind == auth.KindMachine {
				t.Machine = "box" + tid[:4]
			} else {
				t.Role = role
			}
			if err := store.PutToken(t); err != nil {
				b.Fatal(err)
			}
			if i == 0 && j == 0 {
				a.cookie, a.api = plain, tplain
			}
			if i == 0 && j == 1 {
				a.machine = tplain
			}
		}
	}
	al := audit.New(store, log)
	a.srv = handlers.New(handlers.Deps{Hub: h, Store: store, Log: log, Version: "bench", Coord: coord.New(store, nil, log), Audit: al})
	h.SetListener(a.srv.Listener())
	b.Cleanup(func() {
		a.srv.CloseStreams()
		al.Close()
		_ = h.Close(b.Context())
		_ = store.Close()
	})
	return a
}

// serve runs one request through the router (security headers, CSRF check,
// authentication, chi) and returns the status.
func (a *authHub) serve(r *http.Request) int {
	w := httptest.NewRecorder()
	a.srv.ServeHTTP(w, r)
	return w.Code
}

// BenchmarkAuthCheck is the per-request cost of authentication on the hot
// path: a browser's cookie, a script's Bearer token, and the machine token
// ct wrap presents when its WebSocket connects. Each request goes through
// the real router to a route that does nothing after authenticating
// (/api/v1/ has no such endpoint: 404 once authenticated), so ns/op minus
// the /healthz baseline is what the check costs. Run it with
//
//	go test ./bench -run '^$' -bench AuthCheck -benchmem
func BenchmarkAuthCheck(b *testing.B) {
	a := newAuthHub(b)
	cases := []struct {
		name, path string
		set        func(r *http.Request)
		want       int
	}{
		{"baseline=healthz-no-auth", "/healthz", func(*http.Request) {}, 200},
		{"cookie", "/api/v1/none", func(r *http.Request) { r.AddCookie(&http.Cookie{Name: "ct_session", Value: a.cookie}) }, 404},
		{"bearer-api-token", "/api/v1/none", func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+a.api) }, 404},
		// Authenticated, then refused by the WebSocket library for lacking an upgrade.
		{"machine-token-ws-connect", "/ws/wrap", func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+a.machine) }, 426},
		{"refused-no-credentials", "/api/v1/none", func(*http.Request) {}, 401},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			r := httptest.NewRequest("GET", c.path, nil)
			c.set(r)
			if got := a.serve(r); got != c.want {
				b.Fatalf("%s: status %d, want %d", c.path, got, c.want)
			}
			b.ReportAllocs()
			for b.Loop() {
				a.serve(r)
			}
		})
	}
}

// BenchmarkLogin is a whole successful login: POST /login, the argon2id
// check, a new browser session written to the store (one fsync), the cookie.
//
//	go test ./bench -run '^$' -bench Login -benchtime 20x
func BenchmarkLogin(b *testing.B) {
	a := newAuthHub(b)
	body := url.Values{"user": {"admin"}, "password": {a.passwd}}.Encode()
	for b.Loop() {
		r := httptest.NewRequest("POST", "/login", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if got := a.serve(r); got != http.StatusSeeOther {
			b.Fatalf("login: %d", got)
		}
	}
}
