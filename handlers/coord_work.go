package handlers

import (
	"io"
	"net/http"
	"time"

	"github.com/ct-dev/ct/coord"
	"github.com/go-chi/chi/v5"
)

func (s *Server) handleAPILocksList(w http.ResponseWriter, r *http.Request) error {
	if _, _, err := s.peerOf(r); err != nil {
		return coordErr(err)
	}
	locks, err := s.coord.Locks()
	if err != nil {
		return err
	}
	if locks == nil {
		locks = []coord.Lock{}
	}
	writeJSON(w, http.StatusOK, locks)
	return nil
}

func (s *Server) handleAPILockAcquire(w http.ResponseWriter, r *http.Request) error {
	if err := canWrite(r); err != nil {
		return err
	}
	peer, _, err := s.peerOf(r)
	if err != nil {
		return coordErr(err)
	}
	var req coord.LockRequest
	if err := readJSON(w, r, &req); err != nil {
		return err
	}
	var ttl time.Duration
	if req.TTL != "" {
		if ttl, err = time.ParseDuration(req.TTL); err != nil {
			return errorf(http.StatusBadRequest, "ttl is a duration such as 10m or 1h30m")
		}
	}
	l, err := s.coord.Acquire(peer.Name, req.Name, ttl, req.Reason)
	if err != nil {
		return coordErr(err)
	}
	s.audit(r, "lock.acquire", l.Name+" by "+peer.Name+" until "+l.Until.Format(time.RFC3339))
	writeJSON(w, http.StatusOK, l)
	return nil
}

func (s *Server) handleAPILockRelease(w http.ResponseWriter, r *http.Request) error {
	if err := canWrite(r); err != nil {
		return err
	}
	peer, v, err := s.peerOf(r)
	if err != nil {
		return coordErr(err)
	}
	name := chi.URLParam(r, "*")
	force := r.URL.Query().Get("force") != ""
	if force && !v.Admin {
		return errorf(http.StatusForbidden, "only an admin can break someone else's lock")
	}
	if err := s.coord.Release(peer.Name, name, force); err != nil {
		return coordErr(err)
	}
	s.audit(r, "lock.release", name+" by "+peer.Name)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) handleAPITodosList(w http.ResponseWriter, r *http.Request) error {
	_, v, err := s.peerOf(r)
	if err != nil {
		return coordErr(err)
	}
	scope := r.URL.Query().Get("scope")
	switch scope {
	case coord.TodoScopeAll, coord.TodoScopeShared, coord.TodoScopePrivate:
	default:
		return errorf(http.StatusBadRequest, "scope is shared (everyone's todos), private (your private space) or empty for both")
	}
	todos, err := s.coord.Todos(v, scope, r.URL.Query().Get("state"))
	if err != nil {
		return err
	}
	if todos == nil {
		todos = []coord.Todo{}
	}
	writeJSON(w, http.StatusOK, todos)
	return nil
}

func (s *Server) handleAPITodoAdd(w http.ResponseWriter, r *http.Request) error {
	if err := canWrite(r); err != nil {
		return err
	}
	peer, _, err := s.peerOf(r)
	if err != nil {
		return coordErr(err)
	}
	var t coord.Todo
	if err := readJSON(w, r, &t); err != nil {
		return err
	}
	t, err = s.coord.AddTodo(peer.Name, t)
	if err != nil {
		return coordErr(err)
	}
	s.audit(r, "todo.add", coord.TodoAuditLine(t))
	writeJSON(w, http.StatusCreated, t)
	return nil
}

func (s *Server) handleAPITodoUpdate(w http.ResponseWriter, r *http.Request) error {
	if err := canWrite(r); err != nil {
		return err
	}
	peer, _, err := s.peerOf(r)
	if err != nil {
		return coordErr(err)
	}
	var u coord.TodoUpdate
	if err := readJSON(w, r, &u); err != nil {
		return err
	}
	t, err := s.coord.UpdateTodo(peer.Name, chi.URLParam(r, "todo"), u)
	if err != nil {
		return coordErr(err)
	}
	s.audit(r, "todo.update", t.ID+" "+t.State)
	writeJSON(w, http.StatusOK, t)
	return nil
}

func (s *Server) handleAPIRemindersList(w http.ResponseWriter, r *http.Request) error {
	_, v, err := s.peerOf(r)
	if err != nil {
		return coordErr(err)
	}
	list, err := s.coord.Reminders(v)
	if err != nil {
		return err
	}
	if list == nil {
		list = []coord.Reminder{}
	}
	writeJSON(w, http.StatusOK, list)
	return nil
}

func (s *Server) handleAPIReminderAdd(w http.ResponseWriter, r *http.Request) error {
	if err := canWrite(r); err != nil {
		return err
	}
	peer, _, err := s.peerOf(r)
	if err != nil {
		return coordErr(err)
	}
	var rem coord.Reminder
	if err := readJSON(w, r, &rem); err != nil {
		return err
	}
	rem, err = s.coord.AddReminder(peer.Name, rem)
	if err != nil {
		return coordErr(err)
	}
	s.audit(r, "reminder.add", rem.ID+" to "+rem.To)
	writeJSON(w, http.StatusCreated, rem)
	return nil
}

func (s *Server) handleAPIReminderDelete(w http.ResponseWriter, r *http.Request) error {
	if err := canWrite(r); err != nil {
		return err
	}
	peer, v, err := s.peerOf(r)
	if err != nil {
		return coordErr(err)
	}
	id := chi.URLParam(r, "reminder")
	if err := s.coord.DeleteReminder(peer.Name, id, v.Admin); err != nil {
		return coordErr(err)
	}
	s.audit(r, "reminder.delete", id)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// hookRequest is POST /api/v1/hooks: a webhook delivering to To.
type hookRequest struct {
	Name     string `json:"name"`
	To       string `json:"to"`
	Type     string `json:"type"`
	Priority string `json:"priority"`
}

func (s *Server) handleAPIHookAdd(w http.ResponseWriter, r *http.Request) error {
	if err := canWrite(r); err != nil {
		return err
	}
	peer, _, err := s.peerOf(r)
	if err != nil {
		return coordErr(err)
	}
	var req hookRequest
	if err := readJSON(w, r, &req); err != nil {
		return err
	}
	p := principal(r)
	h, secret, err := s.coord.AddHook(peer.Name, coord.Hook{Name: req.Name, To: req.To, Type: req.Type, Priority: req.Priority,
		User: p.User, TokenID: p.TokenID})
	if err != nil {
		return coordErr(err)
	}
	s.audit(r, "hook.add", h.ID+" to "+h.To)
	writeJSON(w, http.StatusCreated, map[string]any{"hook": h, "secret": secret, "path": "/hooks/" + h.ID + "/" + secret,
		"note": "the secret is shown this once; POST any JSON to the path"})
	return nil
}

func (s *Server) handleAPIHooksList(w http.ResponseWriter, r *http.Request) error {
	p := principal(r)
	list, err := s.coord.Hooks(p.User, p.IsAdmin())
	if err != nil {
		return err
	}
	if list == nil {
		list = []coord.Hook{}
	}
	writeJSON(w, http.StatusOK, list)
	return nil
}

// handleHookDeliver is the public POST /hooks/{id}/{secret}: the URL is
// the credential (its secret is stored only as a hash).
func (s *Server) handleHookDeliver(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, coord.MaxBody)
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return errorf(http.StatusRequestEntityTooLarge, "a webhook body is limited to 100 KB")
	}
	m, err := s.coord.DeliverHook(chi.URLParam(r, "hook"), chi.URLParam(r, "secret"), body)
	if err != nil {
		return coordErrRetry(w, err)
	}
	s.auditAs(r, "hook:"+chi.URLParam(r, "hook"), "hook.deliver", m.ID)
	writeJSON(w, http.StatusCreated, map[string]string{"id": m.ID})
	return nil
}

// handleAPIHookDelete is DELETE /api/v1/hooks/{hook}: its maker or an admin.
func (s *Server) handleAPIHookDelete(w http.ResponseWriter, r *http.Request) error {
	if err := canWrite(r); err != nil {
		return err
	}
	p, id := principal(r), chi.URLParam(r, "hook")
	if err := s.coord.DeleteHook(p.User, id, p.IsAdmin()); err != nil {
		return coordErr(err)
	}
	s.audit(r, "hook.delete", id)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// handleAPIHookRotate is POST /api/v1/hooks/{hook}/rotate: a new secret,
// the old URL refused from now on.
func (s *Server) handleAPIHookRotate(w http.ResponseWriter, r *http.Request) error {
	if err := canWrite(r); err != nil {
		return err
	}
	p, id := principal(r), chi.URLParam(r, "hook")
	h, secret, err := s.coord.RotateHook(p.User, id, p.IsAdmin())
	if err != nil {
		return coordErr(err)
	}
	s.audit(r, "hook.rotate", id)
	writeJSON(w, http.StatusOK, map[string]any{"hook": h, "secret": secret, "path": "/hooks/" + h.ID + "/" + secret,
		"note": "the secret is shown this once; the old path no longer works"})
	return nil
}
