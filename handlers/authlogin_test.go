package handlers

import (
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ct-dev/ct/auth"
)

func cookiesOf(res result) []*http.Cookie {
	return (&http.Response{Header: res.header}).Cookies()
}

func sessionCookieOf(t *testing.T, res result) *http.Cookie {
	t.Helper()
	for _, c := range cookiesOf(res) {
		if c.Name == sessionCookie {
			return c
		}
	}
	t.Fatalf("no %s cookie in %d response; Set-Cookie %q", sessionCookie, res.status, res.header.Values("Set-Cookie"))
	return nil
}

func login(f *authFixture, user, password string, hdr map[string]string) result {
	return f.do("POST", "/login", form("user", user, "password", password, "next", "/approvals"), cred{}, hdr)
}

// A wrong password gets a clear 401; a right one a cookie that works, stored
// only as a hash; logging out ends it.
func TestLoginAndLogout(t *testing.T) {
	f := newAuthFixture(t, fixtureOpts{})
	for _, c := range []struct{ user, pw string }{{"admin", "not-the-password"}, {"nobody", testPassword}, {"", ""}} {
		res := login(f, c.user, c.pw, nil)
		if res.status != http.StatusUnauthorized || !strings.Contains(res.body, "Wrong name or password.") {
			t.Errorf("login %q/%q = %d, want 401 with \"Wrong name or password.\": %.300s", c.user, c.pw, res.status, res.body)
		}
		if len(cookiesOf(res)) != 0 {
			t.Errorf("failed login set cookies %v", res.header.Values("Set-Cookie"))
		}
	}
	res := login(f, "admin", testPassword, nil)
	if res.status != http.StatusSeeOther || res.header.Get("Location") != "/approvals" {
		t.Fatalf("login = %d to %q, want 303 to /approvals", res.status, res.header.Get("Location"))
	}
	c := sessionCookieOf(t, res)
	kind, id, secret, ok := auth.ParseToken(c.Value)
	if !ok || kind != auth.KindSession {
		t.Fatalf("cookie %q is not a session token", c.Value)
	}
	ws, err := f.store.GetWebSession(id)
	if err != nil || ws.Hash != auth.Hash(secret) || strings.Contains(ws.Hash, secret) || ws.User != "admin" {
		t.Fatalf("stored browser session %+v (%v): want only the hash of the secret", ws, err)
	}
	if d := time.Until(ws.ExpiresAt); d <= 0 || d > 15*24*time.Hour {
		t.Errorf("browser session expires in %s; want a bounded lifetime", d)
	}
	me := cred{cookie: c.Value}
	if res := f.do("GET", "/", "", me, nil); res.status != http.StatusOK {
		t.Fatalf("lobby with the new cookie = %d", res.status)
	}
	// An off-site next is ignored.
	res = f.do("POST", "/login", form("user", "admin", "password", testPassword, "next", "//evil.example/"), cred{}, nil)
	if res.header.Get("Location") != "/" {
		t.Errorf("login with next=//evil.example/ redirects to %q, want /", res.header.Get("Location"))
	}
	res = f.do("POST", "/logout", "", me, nil)
	if res.status != http.StatusSeeOther || res.header.Get("Location") != "/login" {
		t.Errorf("logout = %d to %q", res.status, res.header.Get("Location"))
	}
	if out := sessionCookieOf(t, res); out.MaxAge >= 0 || out.Value != "" || !out.HttpOnly {
		t.Errorf("logout cookie %+v: want it deleted", out)
	}
	if _, err := f.store.GetWebSession(id); err == nil {
		t.Error("the browser session is still stored after logout")
	}
	if res := f.do("GET", "/", "", me, nil); !isLoginRedirect(res, "/login") {
		t.Errorf("the old cookie after logout: %d %q, want a redirect to /login", res.status, res.header.Get("Location"))
	}
}

// Five failures for one account lock it for the window, from any address and
// even with the right password; another account from the same address is
// not affected until that address has failed twenty times.
func TestLoginRateLimits(t *testing.T) {
	trusted, _ := ParseTrusted("loopback")
	f := newAuthFixture(t, fixtureOpts{trusted: trusted})
	f.addUser("vera", auth.RoleViewer, "box-a")
	from := func(ip string) map[string]string { return map[string]string{"X-Forwarded-For": ip} }
	for i := 1; i <= loginFailsPerUser; i++ {
		if res := login(f, "admin", "wrong-password-"+string(rune('a'+i)), from("10.0.0.1")); res.status != http.StatusUnauthorized {
			t.Fatalf("failure %d = %d, want 401", i, res.status)
		}
	}
	res := login(f, "admin", "wrong-password-z", from("10.0.0.2"))
	if res.status != http.StatusTooManyRequests || !strings.Contains(res.body, "Too many failed logins") {
		t.Fatalf("6th failure for admin (another address) = %d, want 429: %.300s", res.status, res.body)
	}
	if res := login(f, "admin", testPassword, from("10.0.0.3")); res.status != http.StatusTooManyRequests || len(cookiesOf(res)) != 0 {
		t.Errorf("right password while locked = %d, want 429 and no cookie", res.status)
	}
	// HTTP Basic (ct token create) shares the account's limit.
	r := f.do("POST", "/api/v1/tokens", `{"name":"x","kind":"api"}`, cred{basic: [2]string{"admin", testPassword}}, from("10.0.0.4"))
	if r.status != http.StatusTooManyRequests {
		t.Errorf("token create with Basic while locked = %d, want 429", r.status)
	}
	if res := login(f, "vera", testPassword, from("10.0.0.1")); res.status != http.StatusSeeOther {
		t.Errorf("another account from the same address = %d, want 303", res.status)
	}
	// Per address: twenty failures from one address, over many names, lock the address.
	for i := range loginFailsPerAddr {
		name := "ghost" + string(rune('a'+i))
		if res := login(f, name, "whatever-password", from("10.0.0.9")); res.status != http.StatusUnauthorized {
			t.Fatalf("address failure %d = %d, want 401", i+1, res.status)
		}
	}
	if res := login(f, "vera", testPassword, from("10.0.0.9")); res.status != http.StatusTooManyRequests {
		t.Errorf("login from an address with %d failures = %d, want 429", loginFailsPerAddr, res.status)
	}
	if res := login(f, "vera", testPassword, from("10.0.0.8")); res.status != http.StatusSeeOther {
		t.Errorf("the same account from another address = %d, want 303", res.status)
	}
}

// An empty store without CT_ADMIN_PASSWORD: everything sends people to the
// setup link; the link (and only it) creates admin and logs them in, once.
func TestSetupLink(t *testing.T) {
	f := newAuthFixture(t, fixtureOpts{noAdmin: true})
	if res := f.do("GET", "/login", "", cred{}, nil); !isLoginRedirect(res, "/setup") {
		t.Errorf("GET /login before setup = %d %q, want a redirect to /setup", res.status, res.header.Get("Location"))
	}
	if res := f.do("GET", "/setup?token="+f.setupToken, "", cred{}, nil); res.status != 200 || !strings.Contains(res.body, f.setupToken) {
		t.Errorf("GET /setup?token= = %d; the form should carry the token", res.status)
	}
	pw := "the-first-admin-password"
	_, _, forged := auth.NewToken(auth.KindSetup)
	for _, bad := range []string{"", "ctx_0123456789abcdef_" + strings.Repeat("A", 43), forged} {
		res := f.do("POST", "/setup", form("token", bad, "password", pw, "confirm", pw), cred{}, nil)
		if res.status != http.StatusForbidden {
			t.Errorf("setup with token %q = %d, want 403", bad, res.status)
		}
	}
	if res := f.do("POST", "/setup", form("token", f.setupToken, "password", pw, "confirm", pw+"x"), cred{}, nil); res.status != http.StatusBadRequest || !strings.Contains(res.body, "differ") {
		t.Errorf("setup with mismatched passwords = %d: %.200s", res.status, res.body)
	}
	if res := f.do("POST", "/setup", form("token", f.setupToken, "password", "short", "confirm", "short"), cred{}, nil); res.status != http.StatusBadRequest {
		t.Errorf("setup with a short password = %d, want 400", res.status)
	}
	if _, err := f.store.GetUser("admin"); err == nil {
		t.Fatal("a failed setup created admin")
	}
	res := f.do("POST", "/setup", form("token", f.setupToken, "password", pw, "confirm", pw), cred{}, nil)
	if res.status != http.StatusSeeOther {
		t.Fatalf("setup = %d: %.300s", res.status, res.body)
	}
	c := sessionCookieOf(t, res)
	if res := f.do("GET", "/", "", cred{cookie: c.Value}, nil); res.status != http.StatusOK {
		t.Errorf("lobby after setup = %d, want 200 (logged in)", res.status)
	}
	u, err := f.store.GetUser("admin")
	if err != nil || u.Role != auth.RoleAdmin || !auth.CheckPassword(u.PasswordHash, pw) {
		t.Fatalf("admin after setup: %+v %v", u, err)
	}
	// The link is spent; the password logs in.
	if res := f.do("POST", "/setup", form("token", f.setupToken, "password", "another-password-1", "confirm", "another-password-1"), cred{}, nil); res.status != http.StatusConflict {
		t.Errorf("second setup = %d, want 409", res.status)
	}
	if res := f.do("GET", "/setup", "", cred{}, nil); !isLoginRedirect(res, "/login") {
		t.Errorf("GET /setup after setup = %d %q, want a redirect to /login", res.status, res.header.Get("Location"))
	}
	if res := login(f, "admin", pw, nil); res.status != http.StatusSeeOther {
		t.Errorf("login after setup = %d", res.status)
	}
	// EnsureAdmin with people present does nothing.
	if tok, err := EnsureAdmin(f.store, ""); tok != "" || err != nil {
		t.Errorf("EnsureAdmin on a set-up store = %q, %v", tok, err)
	}
}

// CT_ADMIN_PASSWORD creates admin at once: no setup link.
func TestEnsureAdminWithPassword(t *testing.T) {
	f := newAuthFixture(t, fixtureOpts{adminPassword: "env-admin-password"})
	if f.srv.setupPending() || f.store.Setting(setupKey) != "" {
		t.Error("setup is pending although CT_ADMIN_PASSWORD was given")
	}
	if res := login(f, "admin", "env-admin-password", nil); res.status != http.StatusSeeOther {
		t.Errorf("login with CT_ADMIN_PASSWORD = %d", res.status)
	}
	if _, err := EnsureAdmin(f.store, "a-different-password"); err != nil {
		t.Fatal(err)
	}
	if res := login(f, "admin", "a-different-password", nil); res.status != http.StatusUnauthorized {
		t.Errorf("a second start with another CT_ADMIN_PASSWORD changed the password: login = %d", res.status)
	}
}

// The cookie is HttpOnly and SameSite=Lax always, and Secure exactly when
// the browser reached ct over HTTPS: directly, or through a trusted proxy
// that says so. An untrusted peer cannot claim HTTPS.
func TestSessionCookieFlags(t *testing.T) {
	loop, _ := ParseTrusted("loopback")
	other := []*net.IPNet{{IP: net.IPv4(10, 9, 0, 0), Mask: net.CIDRMask(16, 32)}}
	https := map[string]string{"X-Forwarded-Proto": "https"}
	cases := []struct {
		name   string
		opts   fixtureOpts
		hdr    map[string]string
		secure bool
	}{
		{"plain HTTP", fixtureOpts{}, nil, false},
		{"plain HTTP, X-Forwarded-Proto from an untrusted peer", fixtureOpts{trusted: other}, https, false},
		{"plain HTTP, X-Forwarded-Proto without --trusted-proxy", fixtureOpts{}, https, false},
		{"TLS", fixtureOpts{tls: true}, nil, true},
		{"trusted proxy says https", fixtureOpts{trusted: loop}, https, true},
		{"trusted proxy says http", fixtureOpts{trusted: loop}, map[string]string{"X-Forwarded-Proto": "http"}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newAuthFixture(t, c.opts)
			res := login(f, "admin", testPassword, c.hdr)
			if res.status != http.StatusSeeOther {
				t.Fatalf("login = %d", res.status)
			}
			k := sessionCookieOf(t, res)
			if !k.HttpOnly || k.SameSite != http.SameSiteLaxMode || k.Secure != c.secure || k.Path != "/" {
				t.Errorf("cookie HttpOnly=%v SameSite=%v Secure=%v Path=%q; want HttpOnly, Lax, Secure=%v, /", k.HttpOnly, k.SameSite, k.Secure, k.Path, c.secure)
			}
			out := sessionCookieOf(t, f.do("POST", "/logout", "", cred{cookie: k.Value}, c.hdr))
			if !out.HttpOnly || out.SameSite != http.SameSiteLaxMode || out.Secure != c.secure {
				t.Errorf("logout cookie %+v", out)
			}
		})
	}
}
