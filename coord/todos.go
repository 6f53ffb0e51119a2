package coord

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/ct-dev/ct/db"
)

const bTodos = "coord_todos"

// Todo states.
const (
	TodoOpen  = "open"
	TodoDoing = "doing"
	TodoDone  = "done"
)

// Todo is a shared task.
type Todo struct {
	ID        string    `json:"id"`
	Title     string    `json:"title"`
	Notes     string    `json:"notes,omitempty"`
	Assignee  string    `json:"assignee,omitempty"`
	State     string    `json:"state"`
	CreatedBy string    `json:"created_by"`
	DoneBy    string    `json:"done_by,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	// Private is the user whose private space holds the todo
	// (private.go). A caller asks for it with "me" (or its own user
	// name); the hub stores the owner it resolved.
	Private string `json:"private,omitempty"`
}

// TodoUpdate changes a todo; nil fields stay as they are.
type TodoUpdate struct {
	Title    *string `json:"title"`
	Notes    *string `json:"notes"`
	Assignee *string `json:"assignee"`
	State    *string `json:"state"`
}

func (t *Todo) check() error {
	t.Title = strings.TrimSpace(t.Title)
	if t.Title == "" || len(t.Title) > 200 {
		return errf(Invalid, "a todo needs a title of 1-200 characters")
	}
	if len(t.Notes) > MaxBody {
		return errf(TooLarge, "todo notes are limited to 100 KB")
	}
	switch t.State {
	case TodoOpen, TodoDoing, TodoDone:
	default:
		return errf(Invalid, "todo state %q is not open, doing or done", t.State)
	}
	if err := checkSecrets("title", t.Title); err != nil {
		return err
	}
	return checkSecrets("notes", t.Notes)
}

// AddTodo creates an open todo by creator; t.Private "me" puts it in the
// private space of creator's owner.
func (s *Service) AddTodo(creator string, t Todo) (Todo, error) {
	now := s.clock.Now().UTC()
	t.CreatedBy, t.State, t.DoneBy, t.CreatedAt, t.UpdatedAt = creator, TodoOpen, "", now, now
	if err := t.check(); err != nil {
		return Todo{}, err
	}
	err := s.store.CoordUpdate(func(tx db.CoordTx) error {
		if t.Private != "" {
			owner := ownerOf(tx, creator)
			addr := t.Private
			if !strings.EqualFold(addr, PrivateMe) && !strings.HasPrefix(strings.ToLower(addr), privatePrefix) {
				addr = PrivateAddress(addr) // private: "alice" names alice's space
			}
			priv, err := privateOwner(addr, owner)
			if err != nil {
				return err
			}
			t.Private = priv
		}
		n, err := tx.NextSeq(bTodos)
		if err != nil {
			return err
		}
		t.ID = strconv.FormatUint(n, 10)
		return tx.Put(bTodos, db.SeqKey(n), t)
	})
	if err != nil {
		return Todo{}, err
	}
	s.bus.Publish(Event{Type: "todo", At: now, By: creator, Todo: &t, Notice: creator + " added todo " + t.ID + ": " + t.Title})
	return t, nil
}

// UpdateTodo applies u to todo id on behalf of peer by.
func (s *Service) UpdateTodo(by, id string, u TodoUpdate) (Todo, error) {
	n, err := strconv.ParseUint(id, 10, 64)
	if err != nil {
		return Todo{}, errf(NotFound, "no todo %q (ids are numbers)", id)
	}
	now := s.clock.Now().UTC()
	var t Todo
	was := ""
	err = s.store.CoordUpdate(func(tx db.CoordTx) error {
		if tx.Get(bTodos, db.SeqKey(n), &t) != nil || (t.Private != "" && t.Private != ownerOf(tx, by)) {
			return errf(NotFound, "no todo %q", id)
		}
		was = t.State
		for dst, src := range map[*string]*string{&t.Title: u.Title, &t.Notes: u.Notes, &t.Assignee: u.Assignee, &t.State: u.State} {
			if src != nil {
				*dst = *src
			}
		}
		if t.State == TodoDone && was != TodoDone {
			t.DoneBy = by
		} else if t.State != TodoDone {
			t.DoneBy = ""
		}
		if err := t.check(); err != nil {
			return err
		}
		t.UpdatedAt = now
		return tx.Put(bTodos, db.SeqKey(n), t)
	})
	if err != nil {
		return Todo{}, err
	}
	notice := ""
	if t.State != was {
		notice = by + " marked todo " + t.ID + " " + t.State + ": " + t.Title
	}
	s.bus.Publish(Event{Type: "todo", At: now, By: by, Todo: &t, Notice: notice})
	return t, nil
}

// Todo scopes a listing may ask for.
const (
	TodoScopeAll     = ""        // the shared todos and the viewer's private ones
	TodoScopeShared  = "shared"  // the shared todos only
	TodoScopePrivate = "private" // the viewer's private space only
)

// Todos lists the todos v may see in scope, oldest first; state "" lists all.
func (s *Service) Todos(v Viewer, scope, state string) ([]Todo, error) {
	var out []Todo
	err := s.store.CoordView(func(tx db.CoordTx) error {
		return tx.Each(bTodos, false, func(_, val []byte) (bool, error) {
			var t Todo
			if err := json.Unmarshal(val, &t); err != nil {
				return false, err
			}
			inScope := scope == TodoScopeAll || (scope == TodoScopePrivate) == (t.Private != "")
			if v.canSeeTodo(&t) && inScope && (state == "" || t.State == state) {
				out = append(out, t)
			}
			return true, nil
		})
	})
	return out, err
}
