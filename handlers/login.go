package handlers

import (
	"crypto/subtle"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/ct-dev/ct/auth"
	"github.com/ct-dev/ct/db"
	"github.com/ct-dev/ct/views"
)

// setupKey is the settings key holding the hash of the first-start link.
const setupKey = "setup_token_hash"

// setupPending reports whether the hub still has no users (first start
// without CT_ADMIN_PASSWORD): nothing is served until the admin is set up.
func (s *Server) setupPending() bool {
	if s.setupDone.Load() {
		return false
	}
	users, err := s.store.Users()
	if err == nil && len(users) > 0 {
		s.setupDone.Store(true)
		return false
	}
	return true
}

// EnsureAdmin runs at start. With users present it does nothing. Otherwise
// it creates admin with password (CT_ADMIN_PASSWORD) or, when that is empty,
// returns a one-time setup token for the link ct serve prints.
func EnsureAdmin(store *db.Store, password string) (setupToken string, err error) {
	users, err := store.Users()
	if err != nil || len(users) > 0 {
		return "", err
	}
	if password != "" {
		hash, err := auth.HashPassword(password)
		if err != nil {
			return "", fmt.Errorf("CT_ADMIN_PASSWORD: %w", err)
		}
		return "", store.CreateUser(db.User{Name: "admin", Role: auth.RoleAdmin, Grants: []string{auth.AllMachines}, PasswordHash: hash, CreatedAt: time.Now().UTC()})
	}
	plain, _, hash := auth.NewToken(auth.KindSetup)
	return plain, store.SetSetting(setupKey, hash)
}

func (s *Server) handleSetupShow(w http.ResponseWriter, r *http.Request) error {
	if !s.setupPending() {
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return nil
	}
	return render(w, r, views.SetupPage(r.URL.Query().Get("token"), ""))
}

func (s *Server) handleSetupCreate(w http.ResponseWriter, r *http.Request) error {
	if !s.setupPending() {
		return errorf(http.StatusConflict, "This hub is already set up; log in.")
	}
	r.Body = http.MaxBytesReader(w, r.Body, 8<<10)
	if err := r.ParseForm(); err != nil {
		return errorf(http.StatusBadRequest, "Bad form.")
	}
	tok, pw := r.PostForm.Get("token"), r.PostForm.Get("password")
	kind, _, secret, ok := auth.ParseToken(tok)
	want := s.store.Setting(setupKey)
	if !ok || kind != auth.KindSetup || want == "" || subtle.ConstantTimeCompare([]byte(want), []byte(auth.Hash(secret))) != 1 {
		return errorf(http.StatusForbidden, "This setup link is not valid. Use the link ct serve printed on its first start (restart ct serve for a new one).")
	}
	fail := func(msg string) error {
		w.WriteHeader(http.StatusBadRequest)
		return render(w, r, views.SetupPage(tok, msg))
	}
	if pw != r.PostForm.Get("confirm") {
		return fail("The two passwords differ.")
	}
	hash, err := auth.HashPassword(pw)
	if err != nil {
		return fail(strings.ToUpper(err.Error()[:1]) + err.Error()[1:] + ".")
	}
	if err := s.store.CreateUser(db.User{Name: "admin", Role: auth.RoleAdmin, Grants: []string{auth.AllMachines}, PasswordHash: hash, CreatedAt: time.Now().UTC()}); err != nil {
		return err
	}
	_ = s.store.SetSetting(setupKey, "")
	s.setupDone.Store(true)
	s.auditAs(r, "admin", "setup", "admin")
	return s.startWebSession(w, r, "admin", "/")
}

// Login limits, per account and per address: the free failures, then a
// delay before each further try that doubles from loginDelay to
// loginMaxDelay (the owner of an attacked account waits minutes at most,
// never a fixed lockout); failures are forgotten loginWindow after the last.
const (
	loginFailsPerUser = 5
	loginFailsPerAddr = 20
	loginDelay        = 2 * time.Second
	loginMaxDelay     = 5 * time.Minute
	loginWindow       = 15 * time.Minute
)

func (s *Server) handleLoginShow(w http.ResponseWriter, r *http.Request) error {
	if s.setupPending() {
		http.Redirect(w, r, "/setup", http.StatusSeeOther)
		return nil
	}
	return render(w, r, views.LoginPage("", safeNext(r.URL.Query().Get("next")), ""))
}

func (s *Server) handleLoginCreate(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, 8<<10)
	if err := r.ParseForm(); err != nil {
		return errorf(http.StatusBadRequest, "Bad form.")
	}
	name, pw, next := strings.TrimSpace(r.PostForm.Get("user")), r.PostForm.Get("password"), safeNext(r.PostForm.Get("next"))
	if _, err := s.checkLogin(r, name, pw); err != nil {
		w.WriteHeader(err.Status)
		return render(w, r, views.LoginPage(err.Msg, next, name))
	}
	return s.startWebSession(w, r, name, next)
}

// checkLogin verifies a name and password under the rate limits.
func (s *Server) checkLogin(r *http.Request, name, pw string) (db.User, *Error) {
	addr := clientAddr(r)
	// Both limits count this try before the (slow) password check, so
	// guesses sent in parallel cannot all pass the check first.
	now := time.Now()
	if wait := s.userLimit.Begin(name, now); wait > 0 {
		return db.User{}, tooMany(wait)
	}
	if wait := s.addrLimit.Begin(addr, now); wait > 0 {
		s.userLimit.Release(name)
		return db.User{}, tooMany(wait)
	}
	u, err := s.store.GetUser(name)
	hash := u.PasswordHash
	if err != nil {
		hash = decoyHash() // as slow as a real check: timing must not tell which names exist
	}
	ok := auth.CheckPassword(hash, pw) && err == nil && !u.Disabled
	done := time.Now()
	s.userLimit.Done(name, done, ok)
	if ok {
		s.addrLimit.Release(addr)
	} else {
		s.addrLimit.Done(addr, done, false)
	}
	if !ok {
		s.auditAs(r, name, "login.fail", name)
		return db.User{}, errorf(http.StatusUnauthorized, "Wrong name or password.")
	}
	return u, nil
}

// tooMany is the answer to a try that must wait.
func tooMany(wait time.Duration) *Error {
	return errorf(http.StatusTooManyRequests, fmt.Sprintf("Too many failed logins. Try again in %s.", (wait+time.Second-1).Truncate(time.Second)))
}

// decoyHash is a hash of a random password, checked against for names that
// have no account so that a failed login takes as long either way.
var decoyHash = sync.OnceValue(func() string {
	plain, _, _ := auth.NewToken(auth.KindSetup)
	h, _ := auth.HashPassword(plain)
	return h
})

// startWebSession logs name in on this browser and redirects to next.
func (s *Server) startWebSession(w http.ResponseWriter, r *http.Request, name, next string) error {
	plain, id, hash := auth.NewToken(auth.KindSession)
	now := time.Now().UTC()
	ws := db.WebSession{ID: id, Hash: hash, User: name, CreatedAt: now, ExpiresAt: now.Add(webSessionTTL), Addr: clientAddr(r), Device: deviceOf(r)}
	if err := s.store.PutWebSession(ws); err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: plain, Path: "/", Expires: ws.ExpiresAt,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: isSecure(r),
	})
	s.auditAs(r, name, "login", name)
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request) error {
	p := principal(r)
	if p.Kind == auth.KindSession {
		_ = s.store.DeleteWebSessions(p.TokenID, "")
		s.live.dropCred(p.TokenID) // its open pages end with the login
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: isSecure(r)})
	s.audit(r, "logout", p.User)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
	return nil
}

func (s *Server) handleAccountShow(w http.ResponseWriter, r *http.Request) error {
	p := principal(r)
	return render(w, r, views.AccountPage(p.User, p.Role, r.URL.Query().Get("msg"), ""))
}

func (s *Server) handleAccountPassword(w http.ResponseWriter, r *http.Request) error {
	p := principal(r)
	if p.Kind != auth.KindSession {
		return errorf(http.StatusForbidden, "Change passwords from a browser login.")
	}
	r.Body = http.MaxBytesReader(w, r.Body, 8<<10)
	if err := r.ParseForm(); err != nil {
		return errorf(http.StatusBadRequest, "Bad form.")
	}
	if _, e := s.checkLogin(r, p.User, r.PostForm.Get("old")); e != nil {
		w.WriteHeader(e.Status)
		return render(w, r, views.AccountPage(p.User, p.Role, "", "The current password is wrong."))
	}
	hash, err := auth.HashPassword(r.PostForm.Get("new"))
	if err != nil {
		w.WriteHeader(http.StatusBadRequest)
		return render(w, r, views.AccountPage(p.User, p.Role, "", strings.ToUpper(err.Error()[:1])+err.Error()[1:]+"."))
	}
	if _, err := s.store.UpdateUser(p.User, func(u *db.User) error { u.PasswordHash = hash; return nil }); err != nil {
		return err
	}
	// Every other login of this person ends; this one continues.
	_ = s.store.DeleteWebSessions("", p.User)
	s.audit(r, "password.change", p.User)
	return s.startWebSession(w, r, p.User, "/account?msg=Password+changed.")
}

// safeNext keeps post-login redirects on this site.
func safeNext(next string) string {
	// Browsers drop tabs and newlines from a URL and read a backslash as a
	// slash, so "/\t/evil.example" would become "//evil.example": refuse
	// every control character and backslash before parsing.
	for _, r := range next {
		if r < 0x20 || r == 0x7f || r == '\\' {
			return "/"
		}
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || !strings.HasPrefix(u.Path, "/") || strings.HasPrefix(next, "//") {
		return "/"
	}
	return next
}
