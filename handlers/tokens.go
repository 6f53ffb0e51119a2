package handlers

import (
	"encoding/json"
	"errors"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/ct-dev/ct/auth"
	"github.com/ct-dev/ct/db"
	"github.com/ct-dev/ct/views"
	"github.com/go-chi/chi/v5"
)

// tokenRequest is what creating a token takes (form or JSON).
type tokenRequest struct {
	Name    string `json:"name"`
	Kind    string `json:"kind"`    // machine (default) | api
	Machine string `json:"machine"` // machine tokens; default: Name
	Role    string `json:"role"`    // api tokens; default: the maker's
}

// nameRE is compiled at first use (package init is paid by every ct process).
var nameRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._@-]{0,127}$`) })

// mintToken checks what p may create and stores the token. A token never
// has more rights than its maker: machine tokens only for machines the maker
// may see, API tokens with at most the maker's role.
func (s *Server) mintToken(p auth.Principal, in tokenRequest) (string, db.Token, *Error) {
	in.Name = strings.TrimSpace(in.Name)
	if in.Kind == "" {
		in.Kind = auth.KindMachine
	}
	if !nameRE().MatchString(in.Name) {
		return "", db.Token{}, errorf(http.StatusBadRequest, "Token name must be 1-128 letters, digits, dots, dashes or underscores.")
	}
	t := db.Token{Kind: in.Kind, Name: in.Name, User: p.User, CreatedAt: time.Now().UTC()}
	switch in.Kind {
	case auth.KindMachine:
		t.Machine = strings.TrimSpace(in.Machine)
		if t.Machine == "" {
			t.Machine = in.Name
		}
		if !nameRE().MatchString(t.Machine) {
			return "", db.Token{}, errorf(http.StatusBadRequest, "Machine name must be 1-128 letters, digits, dots, dashes or underscores.")
		}
		if !p.CanDrive(t.Machine) {
			return "", db.Token{}, errorf(http.StatusForbidden, "You may only make machine tokens for machines you are granted as a member; ask an admin.")
		}
	case auth.KindAPI:
		t.Role = in.Role
		if t.Role == "" {
			t.Role = p.Role
		}
		if !auth.ValidRole(t.Role) || auth.RoleRank(t.Role) > auth.RoleRank(p.Role) {
			return "", db.Token{}, errorf(http.StatusForbidden, "An API token can have your role ("+p.Role+") or less.")
		}
	default:
		return "", db.Token{}, errorf(http.StatusBadRequest, `kind must be "machine" or "api"`)
	}
	if p.Kind == auth.KindAPI && auth.RoleRank(p.Role) < auth.RoleRank(auth.RoleAdmin) && in.Kind == auth.KindAPI {
		// An API token may make a machine token, not more API tokens (no self-multiplying credentials).
		return "", db.Token{}, errorf(http.StatusForbidden, "Create API tokens with your password or in the web UI.")
	}
	plain, id, hash := auth.NewToken(in.Kind)
	t.ID, t.Hash = id, hash
	if err := s.store.PutToken(t); err != nil {
		return "", db.Token{}, &Error{Status: http.StatusInternalServerError, Msg: "Could not store the token.", Err: err}
	}
	return plain, t, nil
}

// handleAPITokenCreate is POST /api/v1/tokens. Besides the usual API token or
// cookie it accepts HTTP Basic (name and password), which is how
// `ct token create` and `ct login` get their first token.
func (s *Server) handleAPITokenCreate(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, 8<<10)
	var in tokenRequest
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		return errorf(http.StatusBadRequest, `body must be JSON like {"name":"laptop","kind":"machine"}: `+err.Error())
	}
	plain, t, e := s.mintToken(principal(r), in)
	if e != nil {
		return e
	}
	s.audit(r, "token.create", t.Kind+" "+t.Name+" ("+t.ID+")")
	writeJSON(w, http.StatusCreated, map[string]any{"token": plain, "id": t.ID, "name": t.Name, "kind": t.Kind, "machine": t.Machine, "role": t.Role})
	return nil
}

// basicAuth turns HTTP Basic credentials into a principal for the token
// endpoint only, under the login rate limits.
func (s *Server) basicAuth(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name, pw, ok := r.BasicAuth()
		if !ok {
			s.requireAuth(next).ServeHTTP(w, r)
			return
		}
		if s.setupPending() {
			s.refuse(w, r, http.StatusUnauthorized, "This hub has no admin yet: open the setup link ct serve printed.", "")
			return
		}
		u, e := s.checkLogin(r, name, pw)
		if e != nil {
			s.refuse(w, r, e.Status, e.Msg, "")
			return
		}
		p := auth.Principal{User: u.Name, Role: u.Role, Grants: u.Grants, Kind: auth.KindSession}
		next.ServeHTTP(w, r.WithContext(withPrincipal(r.Context(), p)))
	})
}

func (s *Server) handleAPITokenRevoke(w http.ResponseWriter, r *http.Request) error {
	t, err := s.revokeToken(principal(r), chi.URLParam(r, "id"))
	if err != nil {
		return err
	}
	s.audit(r, "token.revoke", t.Kind+" "+t.Name+" ("+t.ID+")")
	writeJSON(w, http.StatusOK, map[string]any{"revoked": t.ID})
	return nil
}

// revokeToken revokes a token p owns (or any, for an admin) and closes the
// connections using it.
func (s *Server) revokeToken(p auth.Principal, id string) (db.Token, error) {
	t, err := s.store.UpdateToken(id, func(t *db.Token) error {
		if t.User != p.User && !p.IsAdmin() {
			return db.ErrNotFound
		}
		t.Revoked, t.RevokedAt = true, time.Now().UTC()
		return nil
	})
	if errors.Is(err, db.ErrNotFound) {
		return t, errorf(http.StatusNotFound, "No such token.")
	}
	if err != nil {
		return t, err
	}
	s.hub.DropToken(t.ID)
	s.live.dropCred(t.ID)
	return t, nil
}

func (s *Server) handleTokensShow(w http.ResponseWriter, r *http.Request) error {
	return s.renderTokens(w, r, "", "", "")
}

func (s *Server) renderTokens(w http.ResponseWriter, r *http.Request, plain, name, errMsg string) error {
	p := principal(r)
	owner := p.User
	if p.IsAdmin() {
		owner = ""
	}
	ts, err := s.store.Tokens(owner)
	if err != nil {
		return err
	}
	m := views.TokensPage{New: plain, NewName: name, Admin: p.IsAdmin(), Err: errMsg}
	for _, t := range ts {
		row := views.TokenRow{ID: t.ID, Name: t.Name, Kind: t.Kind, User: t.User, Machine: t.Machine, Role: t.Role,
			Created: agoText(time.Now(), t.CreatedAt), LastUsed: "never", LastAddr: t.LastAddr, Revoked: t.Revoked}
		if !t.LastUsedAt.IsZero() {
			row.LastUsed = agoText(time.Now(), t.LastUsedAt)
		}
		m.Tokens = append(m.Tokens, row)
	}
	if errMsg != "" {
		w.WriteHeader(http.StatusBadRequest)
	}
	return render(w, r, views.TokensView(m))
}

func (s *Server) handleTokenCreate(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, 8<<10)
	if err := r.ParseForm(); err != nil {
		return errorf(http.StatusBadRequest, "Bad form.")
	}
	in := tokenRequest{Name: r.PostForm.Get("name"), Kind: r.PostForm.Get("kind"), Machine: r.PostForm.Get("machine"), Role: r.PostForm.Get("role")}
	if in.Kind == auth.KindMachine {
		in.Role = ""
	}
	plain, t, e := s.mintToken(principal(r), in)
	if e != nil {
		return s.renderTokens(w, r, "", "", e.Msg)
	}
	s.audit(r, "token.create", t.Kind+" "+t.Name+" ("+t.ID+")")
	return s.renderTokens(w, r, plain, t.Name, "")
}

func (s *Server) handleTokenRevoke(w http.ResponseWriter, r *http.Request) error {
	t, err := s.revokeToken(principal(r), chi.URLParam(r, "id"))
	if err != nil {
		return err
	}
	s.audit(r, "token.revoke", t.Kind+" "+t.Name+" ("+t.ID+")")
	http.Redirect(w, r, "/tokens", http.StatusSeeOther)
	return nil
}
