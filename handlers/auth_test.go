package handlers

import (
	"net/http"
	"runtime"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/ct-dev/ct/auth"
	"github.com/ct-dev/ct/db"
	"github.com/go-chi/chi/v5"
)

// access says who may use a route. Every route the router registers must be
// in routeAccess: a new route fails TestEveryRoute until someone decides.
type access int

const (
	public      access = iota // served without login
	viewerRead                // a viewer of a granted machine may (2xx)
	viewerOwn                 // a person's own account, tokens and logout: any role, own things only
	viewerDrive               // typing, settings, answering prompts: members and admins only
	adminOnly                 // admins only
	machineOnly               // ct wrap's socket: machine tokens only
	linkOnly                  // its own credential is in the URL (a signed one-tap link): refused without it
)

// fixtureAttachment is the id of a file attached in each fixture session.
const fixtureAttachment = "0123456789abcdef"

var routeAccess = map[string]access{
	"GET /healthz":                           public,
	"GET /static/palette.css":                public,
	"GET /login":                             public,
	"POST /login":                            public,
	"GET /setup":                             public,
	"POST /setup":                            public,
	"GET /":                                  viewerRead,
	"GET /s/{id}":                            viewerRead,
	"GET /approvals":                         viewerRead,
	"GET /p/{id}":                            viewerRead,
	"GET /events/lobby":                      viewerRead,
	"GET /events/s/{id}":                     viewerRead,
	"GET /events/approvals":                  viewerRead,
	"GET /events/p/{id}":                     viewerRead,
	"GET /api/v1/sessions":                   viewerRead,
	"GET /api/v1/sessions/{id}":              viewerRead,
	"GET /api/v1/sessions/{id}/screen":       viewerRead,
	"GET /api/v1/sessions/{id}/log":          viewerRead,
	"GET /api/v1/prompts":                    viewerRead,
	"POST /s/{id}/input":                     viewerDrive,
	"POST /s/{id}/compose":                   viewerDrive,
	"GET /s/{id}/attach/{att}":               viewerRead,
	"POST /s/{id}/settings":                  viewerDrive,
	"POST /s/{id}/wheel":                     viewerDrive,
	"POST /s/{id}/fit":                       viewerDrive,
	"POST /p/{id}/decide":                    viewerDrive,
	"POST /api/v1/sessions/{id}/input":       viewerDrive,
	"POST /api/v1/sessions/{id}/stop":        viewerDrive,
	"POST /api/v1/sessions/{id}/archive":     viewerDrive,
	"POST /api/v1/sessions/{id}/restore":     viewerDrive,
	"DELETE /api/v1/sessions/{id}":           viewerDrive,
	"POST /api/v1/prompts/{id}/decision":     viewerDrive,
	"POST /logout":                           viewerOwn,
	"GET /account":                           viewerOwn,
	"POST /account/password":                 viewerOwn,
	"GET /tokens":                            viewerOwn,
	"POST /tokens":                           viewerOwn,
	"POST /tokens/{id}/revoke":               viewerOwn,
	"POST /api/v1/tokens":                    viewerOwn, // public for HTTP Basic; 401 without credentials
	"GET /pair":                              viewerOwn, // a viewer sees that only members may pair
	"POST /pair":                             viewerDrive,
	"GET /download/{os}/{arch}":              viewerRead, // or ?code= (TestDownloadTakesAPairingCode)
	"POST /api/v1/pair":                      linkOnly,   // the pairing code in the body is the credential
	"DELETE /api/v1/tokens/{id}":             viewerOwn,
	"GET /admin/users":                       adminOnly,
	"POST /admin/users":                      adminOnly,
	"POST /admin/users/{name}":               adminOnly,
	"GET /admin/audit":                       adminOnly,
	"GET /api/v1/admin/backup":               adminOnly,
	"GET /admin/webhooks":                    adminOnly,
	"POST /admin/webhooks":                   adminOnly,
	"GET /admin/policy":                      adminOnly,
	"POST /admin/policy":                     adminOnly,
	"POST /admin/webhooks/{hook}/delete":     adminOnly,
	"GET /api/v1/webhooks":                   adminOnly,
	"POST /api/v1/webhooks":                  adminOnly,
	"DELETE /api/v1/webhooks/{hook}":         adminOnly,
	"GET /api/v1/webhooks/{hook}/deliveries": adminOnly,
	"GET /ws/wrap":                           machineOnly,
	"GET /settings":                          viewerOwn,
	"POST /settings":                         viewerOwn,
	"POST /settings/push":                    viewerOwn,
	"POST /settings/push/delete":             viewerOwn,
	"POST /a/{token}":                        linkOnly,    // the signed single-use link is the credential
	"GET /s/{id}/title":                      viewerDrive, // the rename form: for people who may drive
	"GET /s/{id}/changes":                    viewerRead,  // the Changes tab: what the transcript already shows
	"GET /s/{id}/changes/git":                viewerRead,  // read-only git status/diff through the wrap
	"POST /s/{id}/title":                     viewerDrive,
	"GET /s/{id}/manage":                     viewerDrive, // stop, archive, forget, share: for people who may drive
	"POST /s/{id}/interrupt":                 viewerDrive,
	"POST /s/{id}/stop":                      viewerDrive,
	"POST /s/{id}/archive":                   viewerDrive,
	"POST /s/{id}/forget":                    viewerDrive,
	"POST /s/{id}/resume":                    viewerDrive,
	"GET /n/{name}/resume":                   viewerDrive,
	"POST /s/{id}/shares":                    viewerDrive,
	"POST /s/{id}/shares/{share}/revoke":     viewerDrive,
	"GET /archived":                          viewerRead,
	"GET /v/{token}":                         linkOnly, // the share token in the URL is the credential
	"HEAD /v/{token}":                        linkOnly,
	"GET /v/{token}/events":                  linkOnly,
	"GET /v/{token}/log":                     linkOnly,
	// Coordination (handlers/coord*.go): everyone reads; members and admins change.
	"GET /api/v1/peers":                         viewerRead,
	"GET /api/v1/peers/me":                      viewerRead,
	"PATCH /api/v1/peers/me":                    viewerOwn, // a viewer may set its own status
	"GET /api/v1/messages":                      viewerRead,
	"POST /api/v1/messages":                     viewerDrive,
	"GET /api/v1/messages/{msg}":                viewerOwn, // 404 unless addressed to or from the caller
	"POST /api/v1/messages/{msg}/ack":           viewerOwn,
	"GET /api/v1/events":                        viewerRead,
	"GET /api/v1/locks":                         viewerRead,
	"GET /api/v1/clock":                         viewerRead,
	"PUT /api/v1/peers/remote":                  viewerDrive,
	"GET /api/v1/clock/report":                  viewerRead,
	"PUT /api/v1/clock/subscription":            viewerRead, // following the clock is reading
	"POST /api/v1/clock":                        viewerDrive,
	"POST /api/v1/clock/pause":                  viewerDrive,
	"POST /api/v1/clock/resume":                 viewerDrive,
	"POST /api/v1/locks":                        viewerDrive,
	"DELETE /api/v1/locks/*":                    viewerDrive,
	"GET /api/v1/reservations":                  viewerRead,
	"POST /api/v1/reservations":                 viewerDrive,
	"POST /api/v1/reservations/check":           viewerRead,
	"DELETE /api/v1/reservations/{reservation}": viewerDrive,
	"GET /api/v1/state/*":                       viewerRead,
	"PUT /api/v1/state/*":                       viewerDrive,
	"GET /api/v1/todos":                         viewerRead,
	"POST /api/v1/todos":                        viewerDrive,
	"PATCH /api/v1/todos/{todo}":                viewerDrive,
	"GET /api/v1/reminders":                     viewerRead,
	"POST /api/v1/reminders":                    viewerDrive,
	"DELETE /api/v1/reminders/{reminder}":       viewerDrive,
	"GET /api/v1/hooks":                         viewerRead,
	"POST /api/v1/hooks":                        viewerDrive,
	"DELETE /api/v1/hooks/{hook}":               viewerDrive,
	"POST /api/v1/hooks/{hook}/rotate":          viewerDrive,
	"POST /hooks/{hook}/{secret}":               linkOnly, // the secret in the URL is the credential
	"GET /coord/panel":                          viewerRead,
	"POST /coord/messages":                      viewerDrive,
	"POST /coord/todos":                         viewerDrive,
	"POST /coord/todos/{todo}/done":             viewerDrive,
	"GET /inbox":                                viewerRead,
	"POST /inbox/send":                          viewerDrive,
	"POST /inbox/{msg}/ack":                     viewerDrive,
	"GET /inbox/list":                           viewerRead,
	"GET /inbox/private":                        viewerRead,
	"POST /inbox/{msg}/read":                    viewerDrive,
	"GET /inbox/typing":                         viewerRead,
	"POST /inbox/typing":                        viewerDrive,
	"GET /team":                                 viewerRead,
	"GET /team/list":                            viewerRead,
	"GET /mcp":                                  viewerRead, // the proxied MCP servers page
	"GET /team/p/*":                             viewerOwn,  // 404: the walk's name is no peer
	"POST /inbox/reminders":                     viewerDrive,
	"POST /inbox/reminders/{reminder}/delete":   viewerDrive,
	"GET /api/v1/events/wait":                   viewerRead,
	"GET /api/v1/skills":                        viewerRead,
	"GET /api/v1/files":                         viewerRead, // the sharing peers; a viewer reads shares of granted machines
	"GET /api/v1/files/content":                 viewerOwn,  // 400 without ?peer=&path=
	"POST /api/v1/skills":                       viewerDrive,
	"GET /api/v1/skills/{skill}":                viewerOwn, // 404 until one is shared
	"GET /skills":                               viewerRead,
	"GET /api/v1/mcp/servers":                   viewerRead,
	"POST /api/v1/mcp/servers":                  viewerDrive,
	"DELETE /api/v1/mcp/servers/{server}":       viewerDrive,
	"POST /api/v1/mcp/calls":                    viewerDrive,
	"GET /api/v1/mcp/host/calls":                viewerOwn, // 404 until the caller hosts a server
	"POST /api/v1/mcp/host/calls/{call}/result": viewerOwn,
	// Nodes (handlers/node.go), the service worker, transcripts.
	"GET /sw.js":                              public,
	"GET /ws/node":                            machineOnly,
	"GET /api/v1/nodes":                       viewerRead,
	"POST /n/{name}/sessions":                 viewerDrive,
	"POST /api/v1/nodes/{name}/sessions":      viewerDrive,
	"GET /api/v1/nodes/{name}/agent-sessions": viewerDrive, // first prompts: for those who may start sessions there
	"GET /api/v1/sessions/{id}/transcript":    viewerRead,
}

// requestBodies are plausible bodies, so a refusal is the access check and
// not a parse error.
var requestBodies = map[string]string{
	"POST /login":                               form("user", "admin", "password", "not-the-password"),
	"POST /setup":                               form("token", "x", "password", "abcdefghijkl", "confirm", "abcdefghijkl"),
	"POST /s/{id}/input":                        form("text", "echo typed-by-a-stranger"),
	"POST /s/{id}/compose":                      form("text", "echo typed-by-a-stranger"),
	"POST /s/{id}/settings":                     form("terminal_only", "on"),
	"POST /s/{id}/wheel":                        form("action", "take"),
	"POST /s/{id}/fit":                          form("cols", "40"),
	"POST /s/{id}/title":                        form("title", "deploy"),
	"POST /s/{id}/archive":                      form("archived", "1"),
	"POST /s/{id}/forget":                       form("confirm", "yes"),
	"POST /s/{id}/shares":                       form("age", "1h"),
	"POST /p/{id}/decide":                       form("decision", "allow"),
	"POST /api/v1/sessions/{id}/input":          `{"text":"echo typed-by-a-stranger\r"}`,
	"POST /api/v1/prompts/{id}/decision":        `{"decision":"allow"}`,
	"POST /api/v1/messages":                     `{"to":"*","subject":"from a walk"}`,
	"POST /api/v1/locks":                        `{"name":"walk","ttl":"1m"}`,
	"POST /api/v1/clock":                        `{"speed":1}`,
	"PUT /api/v1/peers/remote":                  `{"hub":"b","peers":[{"name":"bob"}]}`,
	"PUT /api/v1/clock/subscription":            `{"subscribe":true}`,
	"POST /api/v1/reservations":                 `{"repo":"walk","globs":["db/**"],"ttl":"1m"}`,
	"POST /api/v1/reservations/check":           `{"repo":"walk","paths":["db/x.sql"]}`,
	"PUT /api/v1/state/*":                       `{"value":"walking"}`,
	"POST /api/v1/skills":                       `{"name":"walk","description":"d","instructions":"i"}`,
	"POST /api/v1/mcp/servers":                  `{"name":"walk","tools":[{"name":"echo"}]}`,
	"POST /api/v1/mcp/calls":                    `{"server":"walk","tool":"echo"}`,
	"POST /api/v1/mcp/host/calls/{call}/result": `{"error":"walk"}`,
	"PATCH /api/v1/peers/me":                    `{"status":"walking"}`,
	"POST /api/v1/todos":                        `{"title":"walk"}`,
	"PATCH /api/v1/todos/{todo}":                `{"state":"done"}`,
	"POST /api/v1/reminders":                    `{"to":"*","body":"walk","cron":"@daily"}`,
	"POST /api/v1/hooks":                        `{"to":"*","name":"walk"}`,
	"POST /api/v1/webhooks":                     `{"url":"https://example.com/walk"}`,
	"POST /admin/webhooks":                      "url=https%3A%2F%2Fexample.com%2Fwalk",
	"POST /admin/policy":                        "rules=%7B%22rules%22%3A%5B%5D%7D",
	"POST /hooks/{hook}/{secret}":               `{"title":"forged"}`,
	"POST /coord/messages":                      form("to", "*", "subject", "from a walk"),
	"POST /coord/todos":                         form("title", "walk"),
	"POST /inbox/send":                          form("to", "*", "subject", "from a walk"),
	"POST /inbox/typing":                        form("to", "*"),
	"POST /account/password":                    form("old", testPassword, "new", "new-password-123"),
	"POST /tokens":                              form("name", "walk", "kind", "machine", "machine", "box-a"),
	"POST /api/v1/tokens":                       `{"name":"walk","kind":"machine","machine":"box-a"}`,
	"POST /api/v1/pair":                         `{"code":"ABCD-2345","name":"box-a"}`,
	"POST /admin/users":                         form("name", "mallory", "role", "admin", "password", "mallory-password-1"),
	"POST /admin/users/{name}":                  form("role", "admin", "grants", "*"),
	"POST /a/{token}":                           form("decision", "allow"),
	"POST /n/{name}/sessions":                   form("command", "bash", "cwd", "/tmp"),
	"POST /api/v1/nodes/{name}/sessions":        `{"command":"bash","cwd":"/tmp"}`,
	"POST /settings":                            form("prompts", "1", "ntfy_url", "https://ntfy.example.invalid/t"),
	"POST /settings/push":                       `{"endpoint":"https://push.example.invalid/x","keys":{"p256dh":"BAAA","auth":"AAAA"}}`,
	"POST /settings/push/delete":                `{"endpoint":"https://push.example.invalid/x"}`,
}

// walkedRoute is one method and pattern from the router.
type walkedRoute struct{ method, pattern string }

func (w walkedRoute) key() string { return w.method + " " + w.pattern }

// walkRoutes lists every route from the router itself. The static file
// server is registered for every method; GET stands for it.
func walkRoutes(t *testing.T, s *Server) []walkedRoute {
	t.Helper()
	var out []walkedRoute
	err := chi.Walk(s.Routes(), func(method, route string, _ http.Handler, _ ...func(http.Handler) http.Handler) error {
		if route == "/static/*" {
			if method != http.MethodGet {
				return nil
			}
		}
		out = append(out, walkedRoute{method, route})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].key() < out[j].key() })
	seen := map[string]bool{}
	for _, r := range out {
		seen[r.key()] = true
		if _, ok := routeAccess[r.key()]; !ok && r.pattern != "/static/*" {
			t.Errorf("route %s is not in routeAccess: decide who may use it and add it (and a body to requestBodies if it takes one)", r.key())
		}
	}
	for k := range routeAccess {
		if !seen[k] {
			t.Logf("routeAccess lists %s, which the router does not have (removed, or not there yet)", k)
		}
	}
	if len(out) < 30 {
		t.Fatalf("walked only %d routes; the walk is broken", len(out))
	}
	return out
}

func accessOf(r walkedRoute) access {
	if r.pattern == "/static/*" {
		return public
	}
	return routeAccess[r.key()]
}

// ids fill a route's URL parameters.
type ids struct{ session, prompt, token, user, machine string }

// fill turns a pattern into a path with real ids.
func fill(t *testing.T, pattern string, v ids) string {
	t.Helper()
	p := pattern
	switch {
	case strings.Contains(p, "tokens/{id}"):
		p = strings.Replace(p, "{id}", v.token, 1)
	case strings.Contains(p, "/p/{id}"), strings.Contains(p, "/prompts/{id}"):
		p = strings.Replace(p, "{id}", v.prompt, 1)
	case strings.Contains(p, "{id}"):
		p = strings.Replace(p, "{id}", v.session, 1)
	}
	if strings.HasPrefix(p, "/n/") || strings.Contains(p, "/nodes/") {
		p = strings.Replace(p, "{name}", v.machine, 1)
	}
	p = strings.Replace(p, "{name}", v.user, 1)
	p = strings.Replace(p, "{token}", "forged-one-tap-link", 1)
	p = strings.NewReplacer("{msg}", "1", "{todo}", "1", "{reminder}", "1", "{reservation}", "r1", "{hook}", "nohook", "{secret}", "forged", "{skill}", "walk", "{server}", "walk", "{call}", "c1", "{att}", fixtureAttachment, "{share}", "noshare").Replace(p)
	p = strings.NewReplacer("{os}", runtime.GOOS, "{arch}", runtime.GOARCH).Replace(p)
	p = strings.Replace(p, "*", "app.css", 1)
	if strings.ContainsAny(p, "{}*") {
		t.Fatalf("route %s has a URL parameter this test cannot fill; teach fill about it", pattern)
	}
	if p == "/api/v1/events/wait" {
		p += "?timeout=0" // answer at once: the walk checks access, not waiting
	}
	if strings.HasPrefix(p, "/events/") {
		p += "?v=walk" + strings.ReplaceAll(strings.ToLower(v.session), "-", "")
	}
	return p
}

// accessWorld is a store with two machines, a session and a pending prompt
// on each, a viewer and a member granted only box-a, and an admin token.
type accessWorld struct {
	f                *authFixture
	granted, hidden  ids
	adminToken       string
	adminTokenID     string
	monaTokenID      string // someone else's token, for the revoke routes
	viewerCookie     func() string
	viewerAPI        string
	adminAsViewerAPI string
	memberCookie     func() string
}

func newAccessWorld(t *testing.T) *accessWorld {
	f := newAuthFixture(t, fixtureOpts{})
	w := &accessWorld{f: f}
	f.addUser("vera", auth.RoleViewer, "box-a")
	f.addUser("mona", auth.RoleMember, "box-a")
	f.session("sess-a", "box-a")
	f.session("sess-b", "box-b")
	f.prompt("prm-a", "sess-a", "box-a")
	f.prompt("prm-b", "sess-b", "box-b")
	for _, sid := range []string{"sess-a", "sess-b"} {
		if err := f.store.PutAttachment(db.Attachment{ID: fixtureAttachment, Session: sid, Name: "a.png", Type: "image/png", Size: 1}, []byte{1}, 0); err != nil {
			t.Fatal(err)
		}
	}
	w.adminToken, w.adminTokenID = f.token("admin", auth.KindAPI, auth.RoleAdmin, "")
	_, w.monaTokenID = f.token("mona", auth.KindAPI, auth.RoleMember, "")
	w.granted = ids{session: "sess-a", prompt: "prm-a", token: w.monaTokenID, user: "admin", machine: "box-a"}
	w.hidden = ids{session: "sess-b", prompt: "prm-b", token: w.monaTokenID, user: "admin", machine: "box-b"}
	w.viewerCookie = func() string { return f.cookie("vera", time.Hour) }
	w.viewerAPI, _ = f.token("vera", auth.KindAPI, auth.RoleViewer, "")
	w.adminAsViewerAPI, _ = f.token("admin", auth.KindAPI, auth.RoleViewer, "")
	w.memberCookie = func() string { return f.cookie("mona", time.Hour) }
	return w
}

func isLoginRedirect(res result, to string) bool {
	return res.status >= 300 && res.status < 400 && strings.HasPrefix(res.header.Get("Location"), to)
}

// Unauthenticated, and with every kind of bad credential, every route but
// the public ones answers 401, 403 or a redirect to the login page.
func TestEveryRouteRefusesStrangers(t *testing.T) {
	w := newAccessWorld(t)
	f := w.f
	routes := walkRoutes(t, f.srv)

	revoked, revokedID := f.token("admin", auth.KindAPI, auth.RoleAdmin, "")
	if _, err := f.store.UpdateToken(revokedID, func(t *db.Token) error { t.Revoked = true; return nil }); err != nil {
		t.Fatal(err)
	}
	f.addUser("gone", auth.RoleAdmin, auth.AllMachines)
	goneCookie := f.cookie("gone", time.Hour)
	goneAPI, _ := f.token("gone", auth.KindAPI, auth.RoleAdmin, "")
	if _, err := f.store.UpdateUser("gone", func(u *db.User) error { u.Disabled = true; return nil }); err != nil {
		t.Fatal(err)
	}
	machine, _ := f.token("admin", auth.KindMachine, "", "box-a")
	forged := "cta_" + w.adminTokenID + "_" + strings.Repeat("A", 43) // a real id with a wrong secret

	creds := []cred{
		{name: "no credentials"},
		{name: "unknown cookie", cookie: "cts_0123456789abcdef_" + strings.Repeat("x", 43)},
		{name: "expired cookie", cookie: f.cookie("admin", -time.Minute)},
		{name: "an API token as the cookie", cookie: w.adminToken},
		{name: "cookie of a disabled person", cookie: goneCookie},
		{name: "revoked API token", bearer: revoked},
		{name: "forged secret", bearer: forged},
		{name: "API token of a disabled person", bearer: goneAPI},
		{name: "a cookie as a Bearer token", bearer: f.cookie("admin", time.Hour)},
		{name: "malformed Authorization", header: "Token " + w.adminToken},
		{name: "wrong password (Basic)", basic: [2]string{"admin", "not-the-password"}},
		{name: "machine token", bearer: machine},
	}
	for _, c := range creds {
		for _, r := range routes {
			if accessOf(r) == public {
				continue
			}
			if c.name == "machine token" && accessOf(r) == machineOnly {
				continue // the routes a machine token is for (TestWrapSocketTakesOnlyMachineTokens)
			}
			path := fill(t, r.pattern, w.granted)
			res := f.do(r.method, path, requestBodies[r.key()], c, nil)
			if accessOf(r) == linkOnly {
				if res.status < 400 {
					t.Errorf("%s: %s %s with a forged link = %d, want it refused", c.name, r.method, path, res.status)
				}
				continue
			}
			if res.status != http.StatusUnauthorized && res.status != http.StatusForbidden && !isLoginRedirect(res, "/login") {
				t.Errorf("%s: %s %s = %d (Location %q), want 401, 403 or a redirect to /login; body %.200s",
					c.name, r.method, path, res.status, res.header.Get("Location"), res.body)
			}
		}
	}
	// Nothing the strangers sent changed anything.
	for _, id := range []string{w.adminTokenID, w.monaTokenID} {
		if tok, _ := f.store.GetToken(id); tok.Revoked {
			t.Errorf("a stranger revoked token %s", id)
		}
	}
	if _, err := f.store.GetUser("mallory"); err == nil {
		t.Error("a stranger created a user")
	}
	if u, _ := f.store.GetUser("admin"); u.Role != auth.RoleAdmin {
		t.Errorf("a stranger changed the admin: %+v", u)
	}
	// The public routes do answer strangers.
	for _, p := range []string{"/healthz", "/login", "/static/app.css", "/static/palette.css"} {
		if res := f.do("GET", p, "", cred{}, nil); res.status != http.StatusOK {
			t.Errorf("GET %s without login = %d, want 200", p, res.status)
		}
	}
	if res := f.do("POST", "/api/v1/tokens", requestBodies["POST /api/v1/tokens"], cred{}, nil); res.status != http.StatusUnauthorized {
		t.Errorf("POST /api/v1/tokens without credentials = %d, want 401", res.status)
	}
	// Programs, not browsers, open the sockets and read the streams: they get
	// 401, not a redirect to a login page.
	for _, r := range routes {
		if a := accessOf(r); a == machineOnly || strings.HasPrefix(r.pattern, "/events/") || strings.HasPrefix(r.pattern, "/api/") && a != public {
			path := fill(t, r.pattern, w.granted)
			res := f.do(r.method, path, requestBodies[r.key()], cred{}, nil)
			if a == linkOnly && res.status == http.StatusTooManyRequests {
				continue // a credential in the request guessed too often from this address: refused all the same
			}
			if res.status != http.StatusUnauthorized {
				t.Errorf("%s %s without credentials = %d, want 401", r.method, path, res.status)
			}
		}
	}
}

// Before the first admin exists, nothing but the public routes is served:
// pages send people to /setup.
func TestEveryRouteWaitsForSetup(t *testing.T) {
	f := newAuthFixture(t, fixtureOpts{noAdmin: true})
	f.session("sess-a", "box-a")
	f.prompt("prm-a", "sess-a", "box-a")
	v := ids{session: "sess-a", prompt: "prm-a", token: "0123456789abcdef", user: "admin", machine: "box-a"}
	for _, r := range walkRoutes(t, f.srv) {
		if accessOf(r) == public {
			continue
		}
		path := fill(t, r.pattern, v)
		res := f.do(r.method, path, requestBodies[r.key()], cred{}, nil)
		if accessOf(r) == linkOnly {
			if res.status < 400 {
				t.Errorf("%s %s with a forged link before setup = %d, want it refused", r.method, path, res.status)
			}
			continue
		}
		if res.status != http.StatusUnauthorized && res.status != http.StatusForbidden && !isLoginRedirect(res, "/setup") {
			t.Errorf("%s %s before setup = %d (Location %q), want 401, 403 or a redirect to /setup", r.method, path, res.status, res.header.Get("Location"))
		}
	}
	if res := f.do("GET", "/", "", cred{}, nil); !isLoginRedirect(res, "/setup") {
		t.Errorf("GET / before setup = %d %q, want a redirect to /setup", res.status, res.header.Get("Location"))
	}
}

// A viewer (by cookie, by their API token, or through an admin's API token
// limited to viewer) reads what they are granted, manages only their own
// things, and can neither type, change settings, answer prompts nor reach
// admin pages. The ids are of a machine the viewer IS granted, so the 403s
// are the role check, not a hidden session's 404.
func TestEveryRouteAsViewer(t *testing.T) {
	w := newAccessWorld(t)
	f := w.f
	routes := walkRoutes(t, f.srv)
	viewers := []cred{
		{name: "viewer cookie", fresh: w.viewerCookie},
		{name: "viewer API token", bearer: w.viewerAPI},
		{name: "admin's API token with role viewer", bearer: w.adminAsViewerAPI},
	}
	for _, c := range viewers {
		for _, r := range routes {
			a := accessOf(r)
			if a == public {
				continue
			}
			path := fill(t, r.pattern, w.granted)
			res := f.do(r.method, path, requestBodies[r.key()], c, nil)
			where := c.name + ": " + r.method + " " + path
			if res.status >= 500 {
				t.Errorf("%s = %d: %.300s", where, res.status, res.body)
				continue
			}
			switch a {
			case viewerRead:
				if res.status != http.StatusOK {
					t.Errorf("%s = %d, want 200 (the viewer is granted box-a); body %.200s", where, res.status, res.body)
				}
			case viewerOwn:
				if res.status == http.StatusUnauthorized {
					t.Errorf("%s = 401: the viewer's credentials were not accepted", where)
				}
			case viewerDrive, adminOnly, machineOnly:
				if res.status != http.StatusForbidden {
					t.Errorf("%s = %d, want 403; body %.200s", where, res.status, res.body)
				}
			case linkOnly:
				if res.status < 400 {
					t.Errorf("%s with a forged link = %d, want it refused", where, res.status)
				}
			}
		}
	}
	// What the viewers tried left no trace: the prompt is still pending, the
	// admin's token works, nobody was created or promoted, no input was sent.
	if p, _ := f.store.GetPrompt("prm-a"); p.State != db.PromptPending {
		t.Errorf("a viewer answered prm-a: %+v", p)
	}
	if s, _ := f.store.GetSession("sess-a"); s.TerminalOnly {
		t.Error("a viewer changed sess-a's settings")
	}
	if wh, _ := f.hub.Wheel("sess-a"); wh.Holder != "" || wh.Requester != "" {
		t.Errorf("a viewer took or asked for the wheel: %+v", wh)
	}
	if tok, _ := f.store.GetToken(w.monaTokenID); tok.Revoked {
		t.Error("a viewer revoked someone else's token")
	}
	if _, err := f.store.GetUser("mallory"); err == nil {
		t.Error("a viewer created a user")
	}
	if u, _ := f.store.GetUser("vera"); u.Role != auth.RoleViewer || !slices.Equal(u.Grants, []string{"box-a"}) {
		t.Errorf("the viewer changed their own rights: %+v", u)
	}
	for _, tok := range mustTokens(t, f.store) {
		if tok.Kind == auth.KindMachine {
			t.Errorf("a viewer minted a machine token: %+v", tok)
		}
	}
}

// For a machine a person is not granted, every route that names one of its
// sessions or prompts answers 404 (as for one that does not exist), and no
// list or stream mentions them. Checked for a viewer and a member.
func TestEveryRouteHidesUngrantedMachines(t *testing.T) {
	w := newAccessWorld(t)
	f := w.f
	routes := walkRoutes(t, f.srv)
	people := []cred{
		{name: "viewer cookie", fresh: w.viewerCookie},
		{name: "viewer API token", bearer: w.viewerAPI},
		{name: "member cookie", fresh: w.memberCookie},
	}
	secrets := []string{"sess-b", "prm-b", "box-b"}
	for _, c := range people {
		for _, r := range routes {
			a := accessOf(r)
			if a == public || a == adminOnly || a == machineOnly {
				continue
			}
			path := fill(t, r.pattern, w.hidden)
			res := f.do(r.method, path, requestBodies[r.key()], c, nil)
			where := c.name + ": " + r.method + " " + path
			names := strings.Contains(r.pattern, "{id}") && !strings.Contains(r.pattern, "tokens/") ||
				strings.Contains(r.pattern, "{name}") && (strings.HasPrefix(r.pattern, "/n/") || strings.Contains(r.pattern, "/nodes/"))
			if names && res.status != http.StatusNotFound {
				t.Errorf("%s = %d, want 404 (box-b is not granted); body %.200s", where, res.status, res.body)
			}
			for _, s := range secrets {
				if res.status < 300 && strings.Contains(res.body, s) {
					t.Errorf("%s (%d) shows %q, of a machine not granted: %.300s", where, res.status, s, res.body)
				}
			}
		}
	}
	if p, _ := f.store.GetPrompt("prm-b"); p.State != db.PromptPending {
		t.Errorf("someone not granted box-b answered prm-b: %+v", p)
	}
	// The member does see and may answer what they are granted.
	res := f.do("GET", "/", "", cred{fresh: w.memberCookie}, nil)
	if res.status != 200 || !strings.Contains(res.body, "sess-a") || strings.Contains(res.body, "sess-b") {
		t.Errorf("member's lobby: %d, want sess-a and not sess-b: %.500s", res.status, res.body)
	}
}

// Only a machine token opens the workstations' sockets (checked before any
// upgrade): an admin's API token or login cookie does not.
func TestWrapSocketTakesOnlyMachineTokens(t *testing.T) {
	w := newAccessWorld(t)
	machine, _ := w.f.token("admin", auth.KindMachine, "", "box-a")
	for _, r := range walkRoutes(t, w.f.srv) {
		if accessOf(r) != machineOnly {
			continue
		}
		for _, c := range []cred{{name: "admin API token", bearer: w.adminToken}, {name: "admin cookie", cookie: w.f.cookie("admin", time.Hour)}} {
			if res := w.f.do("GET", r.pattern, "", c, nil); res.status != http.StatusForbidden {
				t.Errorf("%s on %s = %d, want 403", c.name, r.pattern, res.status)
			}
		}
		// A machine token passes the check; without an upgrade the socket library refuses.
		if res := w.f.do("GET", r.pattern, "", cred{bearer: machine}, nil); res.status != http.StatusUpgradeRequired {
			t.Errorf("a machine token on %s = %d, want 426 (past the check, no upgrade)", r.pattern, res.status)
		}
	}
}

// A cross-site POST is refused by http.CrossOriginProtection before any
// handler runs, even with a valid login cookie; the same POST from the
// hub's own pages goes through to the handler.
func TestCrossSitePostRefused(t *testing.T) {
	w := newAccessWorld(t)
	f := w.f
	admin := cred{fresh: func() string { return f.cookie("admin", time.Hour) }}
	crossSite := []map[string]string{
		{"Sec-Fetch-Site": "cross-site"},
		{"Sec-Fetch-Site": "same-site"}, // a sibling subdomain is not the hub either
		{"Origin": "http://evil.example"},
		{"Sec-Fetch-Site": "cross-site", "Origin": "http://evil.example"},
	}
	posts := []struct{ path, body string }{
		{"/s/sess-a/input", form("text", "rm -rf ~")},
		{"/login", form("user", "admin", "password", testPassword)},
		{"/p/prm-a/decide", form("decision", "allow")},
		{"/api/v1/sessions/sess-a/input", `{"text":"rm -rf ~\r"}`},
		{"/admin/users", form("name", "mallory", "role", "admin", "password", "mallory-password-1")},
	}
	for _, h := range crossSite {
		for _, p := range posts {
			res := f.do("POST", p.path, p.body, admin, h)
			if res.status != http.StatusForbidden {
				t.Errorf("POST %s with %v = %d, want 403", p.path, h, res.status)
			}
			if res.header.Get("Set-Cookie") != "" {
				t.Errorf("POST %s with %v set a cookie: %q", p.path, h, res.header.Get("Set-Cookie"))
			}
		}
	}
	if p, _ := f.store.GetPrompt("prm-a"); p.State != db.PromptPending {
		t.Errorf("a cross-site post answered the prompt: %+v", p)
	}
	if _, err := f.store.GetUser("mallory"); err == nil {
		t.Error("a cross-site post created a user")
	}
	// Controls: from the hub's own page the same posts reach their handlers
	// (the session is offline, so input gets 409; the login succeeds).
	same := map[string]string{"Sec-Fetch-Site": "same-origin", "Origin": f.ts.URL}
	if res := f.do("POST", "/s/sess-a/input", form("text", "ls"), admin, same); res.status != http.StatusConflict {
		t.Errorf("same-origin input to an offline session = %d, want 409 (from the handler)", res.status)
	}
	if res := f.do("POST", "/login", form("user", "admin", "password", testPassword), cred{}, same); res.status != http.StatusSeeOther || res.header.Get("Set-Cookie") == "" {
		t.Errorf("same-origin login = %d, cookie %q; want 303 with a cookie", res.status, res.header.Get("Set-Cookie"))
	}
	// A link from another site still opens a page (SameSite=Lax, GET is safe).
	if res := f.do("GET", "/s/sess-a", "", admin, map[string]string{"Sec-Fetch-Site": "cross-site"}); res.status != http.StatusOK {
		t.Errorf("cross-site GET of a page = %d, want 200", res.status)
	}
}

// Every response carries the security headers, public or not.
func TestSecurityHeaders(t *testing.T) {
	w := newAccessWorld(t)
	for _, p := range []string{"/healthz", "/login", "/", "/api/v1/sessions", "/static/app.css"} {
		res := w.f.do("GET", p, "", cred{}, nil)
		csp := res.header.Get("Content-Security-Policy")
		if !strings.Contains(csp, "frame-ancestors 'none'") || !strings.Contains(csp, "default-src 'none'") || strings.Contains(csp, "script-src 'self' 'unsafe-inline'") {
			t.Errorf("GET %s: CSP %q", p, csp)
		}
		if res.header.Get("X-Content-Type-Options") != "nosniff" || res.header.Get("Referrer-Policy") == "" || res.header.Get("X-Frame-Options") != "DENY" {
			t.Errorf("GET %s: headers %v", p, res.header)
		}
	}
}

func mustTokens(t *testing.T, s *db.Store) []db.Token {
	t.Helper()
	ts, err := s.Tokens("")
	if err != nil {
		t.Fatal(err)
	}
	return ts
}
