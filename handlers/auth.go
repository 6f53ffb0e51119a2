package handlers

import (
	"context"
	"crypto/subtle"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/ct-dev/ct/auth"
	"github.com/ct-dev/ct/db"
	"github.com/ct-dev/ct/views"
)

// sessionCookie names the browser login cookie.
const sessionCookie = "ct_session"

// webSessionTTL is how long a browser login lasts.
const webSessionTTL = 14 * 24 * time.Hour

type ctxKey int

const principalKey ctxKey = 1

// principal returns who the request acts as (set by requireAuth).
func principal(r *http.Request) auth.Principal {
	p, _ := r.Context().Value(principalKey).(auth.Principal)
	return p
}

// errUnauthenticated means no valid credentials came with the request.
var errUnauthenticated = errors.New("not logged in")

// authenticate resolves the request's credentials: a Bearer token (API and
// machine tokens) or the browser login cookie.
func (s *Server) authenticate(r *http.Request) (auth.Principal, error) {
	if h := r.Header.Get("Authorization"); h != "" {
		plain, ok := strings.CutPrefix(h, "Bearer ")
		if !ok {
			return auth.Principal{}, errors.New(`the Authorization header must be "Bearer <token>"`)
		}
		return s.tokenPrincipal(r, plain)
	}
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return auth.Principal{}, errUnauthenticated
	}
	kind, id, secret, ok := auth.ParseToken(c.Value)
	if !ok || kind != auth.KindSession {
		return auth.Principal{}, errUnauthenticated
	}
	ws, err := s.store.GetWebSession(id)
	if err != nil || subtle.ConstantTimeCompare([]byte(ws.Hash), []byte(auth.Hash(secret))) != 1 || time.Now().After(ws.ExpiresAt) {
		return auth.Principal{}, errUnauthenticated
	}
	u, err := s.store.GetUser(ws.User)
	if err != nil || u.Disabled {
		return auth.Principal{}, errUnauthenticated
	}
	return auth.Principal{User: u.Name, Role: u.Role, Grants: u.Grants, Kind: auth.KindSession, TokenID: ws.ID}, nil
}

// tokenPrincipal checks an API or machine token.
func (s *Server) tokenPrincipal(r *http.Request, plain string) (auth.Principal, error) {
	kind, id, secret, ok := auth.ParseToken(plain)
	if !ok || (kind != auth.KindAPI && kind != auth.KindMachine && kind != auth.KindAgent) {
		return auth.Principal{}, errors.New("that is not a ct token; create one with ct token create or in the web UI")
	}
	t, err := s.store.GetToken(id)
	if err != nil || subtle.ConstantTimeCompare([]byte(t.Hash), []byte(auth.Hash(secret))) != 1 {
		return auth.Principal{}, errors.New("unknown token; it may be from another hub")
	}
	if t.Revoked {
		return auth.Principal{}, errors.New("this token was revoked; create a new one")
	}
	u, err := s.store.GetUser(t.User)
	if err != nil || u.Disabled {
		return auth.Principal{}, errors.New("the person who made this token is disabled or gone")
	}
	p := auth.Principal{User: u.Name, Role: u.Role, Grants: u.Grants, Kind: t.Kind, TokenID: t.ID, Machine: t.Machine, Session: t.Session}
	if t.Kind == auth.KindAPI && t.Role != "" && auth.RoleRank(t.Role) < auth.RoleRank(u.Role) {
		p.Role = t.Role // an API token never has more than its maker, maybe less
	}
	s.touchToken(t, clientAddr(r))
	return p, nil
}

// touchToken records a token's last use, at most once a minute per token so
// the hot path does not write to the store on every request.
func (s *Server) touchToken(t db.Token, addr string) {
	if time.Since(t.LastUsedAt) < time.Minute && t.LastAddr == addr {
		return
	}
	go func() {
		_, _ = s.store.UpdateToken(t.ID, func(t *db.Token) error {
			t.LastUsedAt, t.LastAddr = time.Now().UTC(), addr
			return nil
		})
	}()
}

// requireAuth lets only authenticated people and API tokens through; machine
// tokens only reach the routes that take them (the wrap and node sockets). Browsers are
// sent to the login page; everything else gets 401.
func (s *Server) requireAuth(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.setupPending() {
			s.refuse(w, r, http.StatusUnauthorized, "This hub has no admin yet: open the setup link ct serve printed on its first start.", "/setup")
			return
		}
		p, err := s.authenticate(r)
		if err != nil {
			s.refuse(w, r, http.StatusUnauthorized, "Log in first: "+err.Error()+".", "/login?next="+url.QueryEscape(r.URL.RequestURI()))
			return
		}
		if p.Kind == auth.KindMachine && r.URL.Path != "/ws/wrap" && r.URL.Path != "/ws/node" {
			s.refuse(w, r, http.StatusForbidden, "A machine token only lets ct wrap and ct node connect; use an API token or log in.", "")
			return
		}
		if p.Kind == auth.KindAgent && !agentRoute(r.Method, r.URL.Path) {
			s.refuse(w, r, http.StatusForbidden, "An agent's session credential (ct mcp under ct wrap) only reaches coordination (peers, messages, locks, todos, reminders, events/wait, skills, the MCP proxy, shared files) and, under its owner's rights, reading sessions, typing while its owner holds the wheel and starting sessions on a node; a person answers prompts.", "")
			return
		}
		next.ServeHTTP(w, r.WithContext(withPrincipal(r.Context(), p)))
	})
}

// agentRoutes are the API paths an agent's session credential may use for
// coordination, under every method. Prompts, tokens, logs and streams are
// never among them. The events stream (/api/v1/events) is not either: its
// long-poll twin (/api/v1/events/wait) is, bounded by its timeout.
var agentRoutes = []string{"/api/v1/peers", "/api/v1/messages", "/api/v1/locks", "/api/v1/todos", "/api/v1/reminders",
	"/api/v1/reservations", "/api/v1/state", "/api/v1/events/wait", "/api/v1/skills", "/api/v1/mcp", "/api/v1/files"}

// agentRoute reports whether an agent's credential may make this request:
// coordination (agentRoutes), or one of the session calls of ct mcp's
// coordinating tools (agentSessionRoute).
func agentRoute(method, path string) bool {
	for _, p := range agentRoutes {
		if path == p || strings.HasPrefix(path, p+"/") {
			return true
		}
	}
	return agentSessionRoute(method, path)
}

// requireAdmin lets only admins through.
func (s *Server) requireAdmin(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !principal(r).IsAdmin() {
			s.refuse(w, r, http.StatusForbidden, "Only an admin can do this.", "")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// refuse answers an unauthenticated or forbidden request in the form the
// client understands: a redirect for a page, JSON for the API, text otherwise.
func (s *Server) refuse(w http.ResponseWriter, r *http.Request, status int, msg, redirect string) {
	switch {
	case strings.HasPrefix(r.URL.Path, "/api/"):
		writeJSON(w, status, map[string]string{"error": msg})
	case r.Header.Get("HX-Request") == "true" && redirect != "":
		w.Header().Set("HX-Redirect", redirect)
		w.WriteHeader(status)
	case r.Method == http.MethodGet && redirect != "" && !strings.HasPrefix(r.URL.Path, "/events/") && !strings.HasPrefix(r.URL.Path, "/ws/"):
		http.Redirect(w, r, redirect, http.StatusSeeOther)
	case r.Method == http.MethodGet && wantsPage(r):
		// A browser opening an admin-only page: the site's own error page, with its app bar.
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(status)
		_ = views.ErrorView(views.ErrorPage{Status: status, Title: http.StatusText(status), Msg: msg}).Render(r.Context(), w)
	default:
		http.Error(w, msg, status)
	}
}

// wantsPage reports whether a request is a browser's page load (not htmx,
// not a stream, not a script).
func wantsPage(r *http.Request) bool {
	return r.Header.Get("HX-Request") == "" && strings.Contains(r.Header.Get("Accept"), "text/html") &&
		!strings.HasPrefix(r.URL.Path, "/events/") && !strings.HasPrefix(r.URL.Path, "/ws/")
}

// forbidden is the error a handler returns when the principal lacks a right.
func forbidden(p auth.Principal, what string) *Error {
	return errorf(http.StatusForbidden, "Your role ("+p.Role+") cannot "+what+"; ask an admin.")
}

func withPrincipal(ctx context.Context, p auth.Principal) context.Context {
	return context.WithValue(ctx, principalKey, p)
}
