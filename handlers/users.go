package handlers

import (
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

// userRE is compiled at first use (package init is paid by every ct process).
var userRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,63}$`) })

func parseGrants(s string) []string {
	var out []string
	for _, g := range strings.Split(s, ",") {
		if g = strings.TrimSpace(g); g != "" {
			out = append(out, g)
		}
	}
	return out
}

func (s *Server) handleUsersShow(w http.ResponseWriter, r *http.Request) error {
	return s.renderUsers(w, r, r.URL.Query().Get("msg"), "")
}

func (s *Server) renderUsers(w http.ResponseWriter, r *http.Request, msg, errMsg string) error {
	users, err := s.store.Users()
	if err != nil {
		return err
	}
	nodes, err := s.store.Nodes()
	if err != nil {
		return err
	}
	m := views.UsersPage{Msg: msg, Err: errMsg}
	for _, u := range users {
		m.Users = append(m.Users, views.UserRow{Name: u.Name, Role: u.Role, Grants: strings.Join(u.Grants, ", "), Disabled: u.Disabled})
	}
	for _, n := range nodes {
		m.Machines = append(m.Machines, n.Name)
	}
	if errMsg != "" {
		w.WriteHeader(http.StatusBadRequest)
	}
	return render(w, r, views.UsersView(m))
}

func (s *Server) handleUserCreate(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, 8<<10)
	if err := r.ParseForm(); err != nil {
		return errorf(http.StatusBadRequest, "Bad form.")
	}
	f := r.PostForm
	name, role := strings.TrimSpace(f.Get("name")), f.Get("role")
	if !userRE().MatchString(name) {
		return s.renderUsers(w, r, "", "A name is 1-64 lowercase letters, digits, dots, dashes or underscores.")
	}
	if !auth.ValidRole(role) {
		return s.renderUsers(w, r, "", "Pick a role: admin, member or viewer.")
	}
	hash, err := auth.HashPassword(f.Get("password"))
	if err != nil {
		return s.renderUsers(w, r, "", err.Error())
	}
	u := db.User{Name: name, Role: role, Grants: parseGrants(f.Get("grants")), PasswordHash: hash, CreatedAt: time.Now().UTC()}
	if err := s.store.CreateUser(u); errors.Is(err, db.ErrExists) {
		return s.renderUsers(w, r, "", "There is already someone called "+name+".")
	} else if err != nil {
		return err
	}
	s.audit(r, "user.create", name+" as "+role+" on "+strings.Join(u.Grants, ","))
	http.Redirect(w, r, "/admin/users?msg=Added+"+name, http.StatusSeeOther)
	return nil
}

func (s *Server) handleUserUpdate(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, 8<<10)
	if err := r.ParseForm(); err != nil {
		return errorf(http.StatusBadRequest, "Bad form.")
	}
	f := r.PostForm
	name := chi.URLParam(r, "name")
	role := f.Get("role")
	if !auth.ValidRole(role) {
		return s.renderUsers(w, r, "", "Pick a role: admin, member or viewer.")
	}
	var hash string
	if pw := f.Get("password"); pw != "" {
		h, err := auth.HashPassword(pw)
		if err != nil {
			return s.renderUsers(w, r, "", err.Error())
		}
		hash = h
	}
	me := principal(r).User
	before, err := s.store.GetUser(name)
	if err != nil {
		return errorf(http.StatusNotFound, "No such person.")
	}
	if name == me && (role != auth.RoleAdmin || f.Get("disabled") != "") {
		return s.renderUsers(w, r, "", "You cannot demote or disable yourself; another admin can.")
	}
	u, err := s.store.UpdateUser(name, func(u *db.User) error {
		u.Role, u.Grants, u.Disabled = role, parseGrants(f.Get("grants")), f.Get("disabled") != ""
		if hash != "" {
			u.PasswordHash = hash
		}
		return nil
	})
	if err != nil {
		return err
	}
	if u.Disabled || hash != "" {
		_ = s.store.DeleteWebSessions("", name) // log them out everywhere
		s.live.dropWeb(name)
	}
	if u.Disabled || auth.RoleRank(u.Role) < auth.RoleRank(before.Role) || strings.Join(before.Grants, ",") != strings.Join(u.Grants, ",") {
		// Rights cut: open pages reconnect and are checked again; the
		// workstations of a disabled person lose their connections.
		s.rightsCut(u)
		if u.Disabled {
			if ts, err := s.store.Tokens(name); err == nil {
				for _, t := range ts {
					s.hub.DropToken(t.ID)
				}
			}
		}
	}
	if before.Role != u.Role || strings.Join(before.Grants, ",") != strings.Join(u.Grants, ",") || before.Disabled != u.Disabled {
		s.audit(r, "user.role", name+": "+before.Role+" -> "+u.Role+" on "+strings.Join(u.Grants, ",")+map[bool]string{true: " (disabled)", false: ""}[u.Disabled])
	}
	if hash != "" {
		s.audit(r, "user.password", name)
	}
	http.Redirect(w, r, "/admin/users?msg=Saved+"+name, http.StatusSeeOther)
	return nil
}
