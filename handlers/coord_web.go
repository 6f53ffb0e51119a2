package handlers

import (
	"errors"
	"net/http"
	"slices"

	"github.com/ct-dev/ct/coord"
	"github.com/ct-dev/ct/views"
	"github.com/go-chi/chi/v5"
)

// The lobby's coordination panel (views/coord.templ): a fragment loaded
// by the lobby and reloaded when the viewer's /api/v1/events stream
// reports a change, plus the forms it posts.

const panelMessages = 15 // recent messages shown; the API has the rest

func (s *Server) coordPanel(r *http.Request, flash string) (views.CoordPanel, error) {
	_, v, err := s.peerOf(r)
	if err != nil {
		return views.CoordPanel{}, err
	}
	p := views.CoordPanel{Me: v.Peer, CanWrite: canWrite(r) == nil, Flash: flash}
	msgs, err := s.coord.Messages(v, coord.MessageFilter{Box: "all", Limit: panelMessages})
	if err != nil {
		return p, err
	}
	now := s.coord.Now()
	md := newMarkdown()
	seen := map[string]bool{}
	for _, m := range slices.Backward(msgs) { // newest first
		row := msgRow(md, m, v, now)
		if (m.Priority == "P0" || row.Overdue) && m.From != v.Peer && m.Receipts[v.Peer].AckedAt.IsZero() {
			p.Attention = append(p.Attention, row)
			seen[m.ID] = true
		}
		p.Messages = append(p.Messages, row)
	}
	// Escalated deadlines stay until answered, however old, for the
	// sender (still waiting) as much as for the addressee.
	overdue, err := s.coord.Overdue(v)
	if err != nil {
		return p, err
	}
	for _, m := range overdue {
		if !seen[m.ID] {
			row := msgRow(md, m, v, now)
			row.Overdue = true
			p.Attention = append(p.Attention, row)
		}
	}
	locks, err := s.coord.Locks()
	if err != nil {
		return p, err
	}
	for _, l := range locks {
		p.Locks = append(p.Locks, views.CoordLock{Name: l.Name, Holder: l.Holder, Reason: l.Reason, Until: l.Until})
	}
	todos, err := s.coord.Todos(v, coord.TodoScopeAll, "")
	if err != nil {
		return p, err
	}
	for _, t := range todos {
		if t.State == coord.TodoDone {
			continue
		}
		row := views.CoordTodo{ID: t.ID, Title: t.Title, Assignee: t.Assignee, State: t.State, CreatedBy: t.CreatedBy}
		if t.Private != "" {
			p.PrivateTodos = append(p.PrivateTodos, row) // the panel's "Private" section
		} else {
			p.Todos = append(p.Todos, row)
		}
	}
	if p.Agents, err = s.agentStats(principal(r)); err != nil {
		return p, err
	}
	p.States, err = s.panelStates()
	return p, err
}

// panelHistory is how many earlier values of a state key the panel shows
// behind a tap; the API (GET /api/v1/state/KEY?history=1) has the rest.
const panelHistory = 5

// panelStates is every shared state key for the panel, with a short history.
func (s *Server) panelStates() ([]views.CoordState, error) {
	keys, err := s.coord.States(panelHistory)
	if err != nil {
		return nil, err
	}
	out := make([]views.CoordState, 0, len(keys))
	for _, k := range keys {
		row := views.CoordState{Key: k.Key, Value: k.Value, By: k.By, At: k.At, Version: k.Version}
		for _, h := range k.History {
			row.History = append(row.History, views.CoordStateValue{Value: h.Value, By: h.By, At: h.At, Version: h.Version})
		}
		out = append(out, row)
	}
	return out, nil
}

// renderPanel renders the panel; a coordination refusal (a credential in
// a message, a taken lock) becomes the panel's flash line, not an error page.
func (s *Server) renderPanel(w http.ResponseWriter, r *http.Request, actErr error) error {
	flash := ""
	if actErr != nil {
		var ce *coord.Error
		var he *Error
		switch {
		case errors.As(actErr, &ce):
			flash = ce.Msg
		case errors.As(actErr, &he):
			flash = he.Msg
		default:
			return actErr
		}
	}
	p, err := s.coordPanel(r, flash)
	if err != nil {
		return coordErr(err)
	}
	return render(w, r, views.CoordPanelView(p))
}

func (s *Server) handleCoordPanel(w http.ResponseWriter, r *http.Request) error {
	return s.renderPanel(w, r, nil)
}

func (s *Server) handleCoordMessageCreate(w http.ResponseWriter, r *http.Request) error {
	peer, _, err := s.coordForm(w, r)
	if err != nil {
		return err
	}
	f := r.PostForm
	m, err := s.coord.Send(peer.Name, coord.Message{To: f.Get("to"), Subject: f.Get("subject"), Body: f.Get("body"),
		Priority: f.Get("priority"), Re: f.Get("re")})
	if err == nil {
		s.audit(r, "message.send", coord.AuditLine(m))
	}
	return s.renderPanel(w, r, err)
}

func (s *Server) handleCoordTodoCreate(w http.ResponseWriter, r *http.Request) error {
	if err := canWrite(r); err != nil {
		return err
	}
	peer, _, err := s.peerOf(r)
	if err != nil {
		return coordErr(err)
	}
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	_ = r.ParseForm()
	private := ""
	if r.PostForm.Get("private") != "" {
		private = coord.PrivateMe // the panel's "Private" form
	}
	t, err := s.coord.AddTodo(peer.Name, coord.Todo{Title: r.PostForm.Get("title"), Private: private})
	if err == nil {
		s.audit(r, "todo.add", coord.TodoAuditLine(t))
	}
	return s.renderPanel(w, r, err)
}

func (s *Server) handleCoordTodoDone(w http.ResponseWriter, r *http.Request) error {
	if err := canWrite(r); err != nil {
		return err
	}
	peer, _, err := s.peerOf(r)
	if err != nil {
		return coordErr(err)
	}
	done := coord.TodoDone
	t, err := s.coord.UpdateTodo(peer.Name, chi.URLParam(r, "todo"), coord.TodoUpdate{State: &done})
	if err == nil {
		s.audit(r, "todo.update", t.ID+" done")
	}
	return s.renderPanel(w, r, err)
}
