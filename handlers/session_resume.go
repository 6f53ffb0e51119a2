package handlers

import (
	"errors"
	"net/http"

	"github.com/ct-dev/ct/db"
	"github.com/ct-dev/ct/hub"
	"github.com/ct-dev/ct/views"
	"github.com/ct-dev/ct/wire"
	"github.com/go-chi/chi/v5"
)

// resumable reports whether ss's agent conversation can go on in a new
// session on its machine's ct node: Claude or Codex, its own session id
// known (from SessionStart), and its program over (two programs writing
// one conversation would interleave it).
func (s *Server) resumable(ss db.Session) bool {
	if ss.AgentSession == "" || (ss.Agent != wire.AgentClaude && ss.Agent != wire.AgentCodex) {
		return false
	}
	return ss.Status == db.StatusEnded || (ss.Status == db.StatusOffline && !s.hub.Connected(ss.ID))
}

// handleSessionResume is the ended session page's Resume and Fork (fork=1):
// the same command in the same directory on the same machine's node,
// continuing (or forking) the agent's conversation; it opens the new
// session. Audited as node.spawn, like any session a person starts.
func (s *Server) handleSessionResume(w http.ResponseWriter, r *http.Request) error {
	if err := parseLifeForm(w, r); err != nil {
		return err
	}
	ss, err := s.visibleSession(principal(r), chi.URLParam(r, "id"), true)
	if err != nil {
		return err
	}
	if !s.resumable(ss) {
		return errorf(http.StatusConflict, "This session cannot be resumed: only an ended Claude or Codex session whose agent reported its session id can. Start a new one from the lobby.")
	}
	id, err := s.spawn(r, ss.Node, spawnRequest{Command: ss.Command, Cwd: ss.Cwd, Resume: ss.AgentSession, Fork: r.PostForm.Get("fork") == "1"})
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/s/"+id, http.StatusSeeOther)
	return nil
}

// cleanupWorktree asks ss's node to remove the worktree it made for ss
// (it does only when nothing would be lost), records the outcome on the
// session for its page and the API, audits it and returns it.
func (s *Server) cleanupWorktree(r *http.Request, ss db.Session) (note string, removed bool) {
	ans, err := s.hub.CleanupWorktree(r.Context(), ss.Node, wire.NodeCleanup{SessionID: ss.ID, Dir: ss.Cwd})
	note = ans.Note
	switch {
	case errors.Is(err, hub.ErrNodeOffline):
		note = "worktree kept: the ct node of " + ss.Node + " is not connected; restore and archive again once it is, or remove it there with git worktree remove"
	case err != nil:
		note = "worktree kept: the node did not answer (" + err.Error() + "); restore and archive again to retry"
	}
	if err := s.store.SetWorktreeNote(ss.ID, note); err != nil {
		s.log.Warn("worktree note", "session", ss.ID, "error", err)
	}
	s.audit(r, "session.worktree", ss.ID+" "+ss.Worktree+": "+note)
	return note, err == nil && ans.Removed
}

// agentSessions asks machine's node for the past conversations of
// command in cwd, for p: the right to start sessions there (it shows first
// prompts). An answer the person should read (node offline, the node's
// refusal) is an *Error with its status; the page shows its text.
func (s *Server) agentSessions(r *http.Request, machine, command, cwd string) ([]wire.AgentSessionInfo, error) {
	p := principal(r)
	if !p.CanSee(machine) {
		return nil, errorf(http.StatusNotFound, "no such machine, or you may not see it")
	}
	if !p.OwnerCanDrive(machine) {
		return nil, errorf(http.StatusForbidden, "listing past sessions on "+machine+" needs the member or admin role and a grant for the machine")
	}
	if command == "" || cwd == "" || len(command) > 4096 || len(cwd) > 4096 {
		return nil, errorf(http.StatusBadRequest, "give ?command=claude&cwd=/the/directory (the node's allowed command and a directory under its roots)")
	}
	ans, err := s.hub.AgentSessions(r.Context(), machine, wire.NodeAgentSessions{Command: command, Cwd: cwd})
	switch {
	case errors.Is(err, hub.ErrNodeOffline):
		return nil, errorf(http.StatusConflict, "no ct node is connected for "+machine+": run ct node on it")
	case err != nil:
		return nil, err
	case ans.Refused != "":
		return nil, errorf(http.StatusUnprocessableEntity, "the node refused: "+ans.Refused)
	}
	if ans.Sessions == nil {
		ans.Sessions = []wire.AgentSessionInfo{}
	}
	return ans.Sessions, nil
}

// handleAPINodeAgentSessions is GET /api/v1/nodes/{name}/agent-sessions?command=claude&cwd=DIR:
// the past conversations the node could resume there (from the agent's
// own files, so also ones that never ran under ct), newest first.
func (s *Server) handleAPINodeAgentSessions(w http.ResponseWriter, r *http.Request) error {
	list, err := s.agentSessions(r, chi.URLParam(r, "name"), r.URL.Query().Get("command"), r.URL.Query().Get("cwd"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"sessions": list})
	return nil
}

// handleNodeResumePick is the lobby's "Resume a past Claude conversation":
// the node's list for ?cwd, each with Resume and Fork; what the node or
// the hub refuses is said on the page, beside the directory box.
func (s *Server) handleNodeResumePick(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	m := views.AgentSessionsPick{Machine: chi.URLParam(r, "name"), Command: q.Get("command"), Cwd: q.Get("cwd")}
	list, err := s.agentSessions(r, m.Machine, m.Command, m.Cwd)
	var said *Error
	switch {
	case errors.As(err, &said) && (said.Status == http.StatusConflict || said.Status == http.StatusUnprocessableEntity || said.Status == http.StatusBadRequest):
		m.Error = said.Msg
	case err != nil:
		return err
	}
	for _, a := range list {
		m.Rows = append(m.Rows, views.AgentSessionRow{ID: a.ID, FirstPrompt: a.FirstPrompt, Modified: a.Modified})
	}
	return render(w, r, views.AgentSessionsPage(m))
}
