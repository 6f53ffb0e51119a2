package handlers

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/ct-dev/ct/auth"
	"github.com/ct-dev/ct/db"
	"github.com/ct-dev/ct/hub"
	"github.com/ct-dev/ct/views"
	"github.com/go-chi/chi/v5"
)

func (s *Server) handleLobbyShow(w http.ResponseWriter, r *http.Request) error {
	l, err := s.lobbyModel(principal(r))
	if err != nil {
		return err
	}
	l.Stream = "/events/lobby?v=" + newStreamKey()
	l.HubURL = hubURL(r)
	return render(w, r, views.LobbyPage(l))
}

// lobbyModel groups the sessions p may see under their machines.
func (s *Server) lobbyModel(p auth.Principal) (views.Lobby, error) {
	nodes, err := s.store.Nodes()
	if err != nil {
		return views.Lobby{}, err
	}
	sessions, err := s.store.Sessions()
	if err != nil {
		return views.Lobby{}, err
	}
	pending, err := s.store.Prompts(db.PromptFilter{State: db.PromptPending})
	if err != nil {
		return views.Lobby{}, err
	}
	l := views.Lobby{Now: time.Now(), User: p.User, Admin: p.IsAdmin(), Granted: p.Grants}
	if !l.Admin && !anyVisible(p, nodes) {
		l.Admins = s.adminNames()
	}
	for _, pr := range pending {
		if p.CanSee(pr.Node) {
			l.Waiting++
			if pr.Policy != nil && pr.Policy.Overdue {
				l.Overdue++
			}
		}
	}
	index := map[string]int{}
	for _, n := range nodes {
		if !p.CanSee(n.Name) {
			continue
		}
		index[n.Name] = len(l.Machines)
		m := views.Machine{Name: n.Name, Hostname: n.Hostname, User: n.User, OS: n.OS, Version: n.Version, LastSeen: n.LastSeen, Online: s.hub.NodeOnline(n.Name)}
		if st, ok := s.hub.Node(n.Name); ok && st.Online && p.CanDrive(n.Name) {
			m.Launch = &views.Launch{Allow: st.Allow, Roots: st.Roots}
		}
		l.Counts.Machines++
		if m.Online {
			l.Counts.MachinesOnline++
		}
		l.Machines = append(l.Machines, m)
	}
	for _, ss := range sessions {
		i, ok := index[ss.Node]
		if !ok {
			continue
		}
		if ss.Archived { // put away: listed under /archived
			l.Archived++
			continue
		}
		l.Machines[i].Sessions = append(l.Machines[i].Sessions, views.SessionRow{
			ID: ss.ID, Number: ss.Number, Title: ss.Title, Command: ss.CommandLine(), Cwd: ss.Cwd, Status: ss.Status, ExitCode: exitCode(ss),
			StartedAt: ss.StartedAt, LastActivity: ss.LastActivity,
			State: s.hub.State(ss), Viewers: len(s.hub.Viewers(ss.ID)), Tail: tailNote(s.hub.TailBytes(ss.ID)),
			Usage: usageView(ss.Tokens), Agent: ss.Agent,
		})
		switch row := l.Machines[i].Sessions[len(l.Machines[i].Sessions)-1]; row.State {
		case hub.StateWorking:
			l.Counts.Working++
		case hub.StateWaitingInput, hub.StateWaitingApproval:
			l.Counts.Waiting++
		}
		if ss.Status == db.StatusLive {
			l.Counts.Live++
		}
	}
	l.Days = s.dayUsageViews(visibleOwners(p, nodes), l.Now)
	return l, nil
}

// anyVisible reports whether p may see any of nodes.
func anyVisible(p auth.Principal, nodes []db.Node) bool {
	for _, n := range nodes {
		if p.CanSee(n.Name) {
			return true
		}
	}
	return false
}

// adminNames are the enabled admins: who a person without machines asks.
func (s *Server) adminNames() []string {
	users, err := s.store.Users()
	if err != nil {
		return nil
	}
	var out []string
	for _, u := range users {
		if u.Role == auth.RoleAdmin && !u.Disabled {
			out = append(out, u.Name)
		}
	}
	return out
}

func exitCode(ss db.Session) string {
	if ss.ExitCode == nil {
		return ""
	}
	return strconv.Itoa(*ss.ExitCode)
}

// keys are the input bar's buttons: the keys a phone keyboard lacks.
var keys = []views.Key{
	{Label: "Esc", Name: "Esc"}, {Label: "Tab", Name: "Tab"}, {Label: "Enter", Name: "Enter"},
	{Label: "Ctrl-C", Name: "Ctrl-C"}, {Label: "↑", Name: "Up"}, {Label: "↓", Name: "Down"},
	{Label: "←", Name: "Left"}, {Label: "→", Name: "Right"},
	{Label: "1", Name: "1"}, {Label: "2", Name: "2"}, {Label: "3", Name: "3"},
	{Label: "y", Name: "y"}, {Label: "n", Name: "n"},
}

func sessionModel(snap hub.Snapshot, stream string) views.Session {
	ss := snap.Session
	return views.Session{
		ID: ss.ID, Title: ss.Label() + " @ " + ss.Node, Node: ss.Node, Cwd: ss.Cwd,
		Number: ss.Number, Name: ss.Name(), Command: ss.CommandLine(), NamedBy: ss.TitleBy, Custom: ss.Title,
		Status: ss.Status, ExitCode: exitCode(ss), Skipped: snap.Skipped, Dropped: ss.DroppedBytes,
		Cols: snap.Cols, Rows: snap.Rows, History: snap.History, HistTotal: snap.HistTotal, Stream: stream, Keys: keys,
		Agent: ss.Agent, TerminalOnly: ss.TerminalOnly, Alt: snap.Alt, Tags: ss.Tags,
	}
}

func (s *Server) handleSessionShow(w http.ResponseWriter, r *http.Request) error {
	id := chi.URLParam(r, "id")
	if _, err := s.visibleSession(principal(r), id, false); err != nil {
		return err
	}
	snap, err := s.hub.Screen(id)
	if err != nil {
		return err
	}
	m := sessionModel(snap, "/events/s/"+id+"?v="+newStreamKey())
	if m.Prompts, err = s.sessionPrompts(principal(r), id); err != nil {
		return err
	}
	m.Presence = s.presenceModel(principal(r), snap.Session)
	m.AttachMax = s.attachMax
	for _, c := range s.hub.Commands(id) {
		m.Commands = append(m.Commands, views.SlashCommand{Name: c.Name, Description: c.Description, Custom: c.Custom})
	}
	m.FitBy = s.hub.Fitted(id)
	if ss, err := s.store.GetSession(id); err == nil { // the hub's copy does not carry the sums
		m.Usage = usageView(ss.Tokens)
		// Offered only while the machine's ct node is there to run it.
		m.Resumable = m.Presence.CanDrive && s.resumable(ss) && s.hub.NodeConnected(ss.Node)
		m.Worktree, m.WorktreeNote = ss.Worktree, ss.WorktreeNote
	}
	return render(w, r, views.SessionPage(m))
}

// handleSessionInput takes the input bar: a named key (button), keys as
// typed in keys mode (raw: sent as they are), or a line of text, which is
// sent followed by Enter.
func (s *Server) handleSessionInput(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, hub.MaxInput+1024)
	if err := r.ParseForm(); err != nil {
		return errorf(http.StatusRequestEntityTooLarge, "Input is too long; send at most 64 KB at a time.")
	}
	var data []byte
	if k := r.PostForm.Get("key"); k != "" {
		b, err := hub.Keys([]string{k})
		if err != nil {
			return errorf(http.StatusBadRequest, err.Error())
		}
		data = b
	} else if raw, ok := r.PostForm["raw"]; ok {
		data = []byte(raw[0])
	} else {
		data = []byte(r.PostForm.Get("text") + "\r")
	}
	id := chi.URLParam(r, "id")
	if _, err := s.visibleSession(principal(r), id, true); err != nil {
		return err
	}
	if err := s.hub.InputAs(id, principal(r).User, data); err != nil {
		return err
	}
	s.audit(r, "input", id+" "+strconv.Itoa(len(data))+" bytes")
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// hubURL is this hub's address as the request reached it.
func hubURL(r *http.Request) string {
	scheme := "http"
	if isSecure(r) {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// tailNote says how much output of an ended program is still to arrive.
func tailNote(n int64) string {
	switch {
	case n <= 0:
		return ""
	case n < 1<<20:
		return fmt.Sprintf("%d KB", (n+1023)/1024)
	default:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	}
}
