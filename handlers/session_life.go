package handlers

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/ct-dev/ct/auth"
	"github.com/ct-dev/ct/db"
	"github.com/ct-dev/ct/hub"
	"github.com/ct-dev/ct/views"
	"github.com/ct-dev/ct/wire"
	"github.com/go-chi/chi/v5"
)

// DefaultStopGrace is how long "End program" waits after SIGTERM before
// the wrap sends SIGKILL (ct serve --stop-grace): long enough for an agent
// to save its transcript, short enough that a stuck one goes soon.
const DefaultStopGrace = 10 * time.Second

// maxLifeForm bounds the manage page's small forms (a flag or two).
const maxLifeForm = 4 << 10

// handleSessionManageShow is the session's life page: interrupt and end
// the program, archive, forget, and its read-only share links. Drive
// rights are needed to see it (to end or share a session).
func (s *Server) handleSessionManageShow(w http.ResponseWriter, r *http.Request) error {
	ss, err := s.visibleSession(principal(r), chi.URLParam(r, "id"), true)
	if err != nil {
		return err
	}
	m, err := s.manageModel(r, ss)
	if err != nil {
		return err
	}
	return render(w, r, views.SessionManagePage(m))
}

// manageModel is what the life page shows of ss to the request's person.
func (s *Server) manageModel(r *http.Request, ss db.Session) (views.SessionManage, error) {
	p := principal(r)
	m := views.SessionManage{ID: ss.ID, Label: ss.Label(), Node: ss.Node, Status: ss.Status, Archived: ss.Archived,
		ArchivedBy: ss.ArchivedBy, Connected: s.hub.Connected(ss.ID), CanForget: s.canForget(p, ss),
		Interrupt: interruptKey(ss.Agent), Grace: s.stopGrace.String(), MaxShare: humanAge(s.maxShareAge)}
	shares, err := s.store.SessionShares(ss.ID)
	if err != nil {
		return m, err
	}
	now := time.Now()
	for _, sh := range shares {
		m.Shares = append(m.Shares, shareView(sh, now))
	}
	return m, nil
}

// interruptKey is the key that interrupts an agent's turn without ending
// it: Esc for the agents (Claude Code, Codex and Gemini stop the turn on
// Esc), Ctrl-C for any other program.
func interruptKey(agent string) string {
	switch agent {
	case wire.AgentClaude, wire.AgentCodex, wire.AgentGemini:
		return "Esc"
	}
	return "Ctrl-C"
}

// canForget: an admin, or the machine's owner: a person who may drive it
// and holds a machine token for it (the person whose workstation it is;
// a machine's own hello names only its OS user, which is no account here).
func (s *Server) canForget(p auth.Principal, ss db.Session) bool {
	if p.IsAdmin() {
		return true
	}
	if !p.CanDrive(ss.Node) {
		return false
	}
	tokens, err := s.store.Tokens(p.User)
	if err != nil {
		return false
	}
	for _, t := range tokens {
		if t.Kind == auth.KindMachine && t.Machine == ss.Node && !t.Revoked {
			return true
		}
	}
	return false
}

// handleSessionInterrupt sends the agent's interrupt key (as the input
// bar's key would: the wheel rules apply).
func (s *Server) handleSessionInterrupt(w http.ResponseWriter, r *http.Request) error {
	id := chi.URLParam(r, "id")
	ss, err := s.visibleSession(principal(r), id, true)
	if err != nil {
		return err
	}
	key := interruptKey(ss.Agent)
	b, _ := hub.Keys([]string{key})
	if err := s.hub.InputAs(id, principal(r).User, b); err != nil {
		return err
	}
	s.audit(r, "session.interrupt", id+" "+key)
	http.Redirect(w, r, "/s/"+id, http.StatusSeeOther)
	return nil
}

// handleSessionStop ends the program: SIGTERM through its wrap, SIGKILL
// after the grace (the wrap keeps the timer).
func (s *Server) handleSessionStop(w http.ResponseWriter, r *http.Request) error {
	id := chi.URLParam(r, "id")
	if err := s.stopSession(r, id); err != nil {
		return err
	}
	http.Redirect(w, r, "/s/"+id, http.StatusSeeOther)
	return nil
}

// stopSession is Stop for the form and the JSON API: drive rights, then
// session.stop to the wrap, audited.
func (s *Server) stopSession(r *http.Request, id string) error {
	if _, err := s.visibleSession(principal(r), id, true); err != nil {
		return err
	}
	if err := s.hub.Stop(id, s.stopGrace, principal(r).User); err != nil {
		return err
	}
	s.audit(r, "session.stop", id+" grace "+s.stopGrace.String())
	return nil
}

// handleSessionArchive archives (archived=1) or restores (archived=0) an
// ended or dead offline session.
func (s *Server) handleSessionArchive(w http.ResponseWriter, r *http.Request) error {
	if err := parseLifeForm(w, r); err != nil {
		return err
	}
	id := chi.URLParam(r, "id")
	on := r.PostForm.Get("archived") != "0"
	_, kept, err := s.archiveSession(r, id, on)
	if err != nil {
		return err
	}
	to := "/"
	if !on || kept {
		to = "/s/" + id // its page says why the worktree was kept
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}

// archiveSession is Archive (on) and Restore (!on) for the form and the
// JSON API: drive rights, the hub's refusal of a live session, audited.
// Archiving a session ct node ran in a new worktree asks the node to
// remove it; kept reports that it stayed (ss.WorktreeNote says why).
func (s *Server) archiveSession(r *http.Request, id string, on bool) (ss db.Session, kept bool, err error) {
	if _, err := s.visibleSession(principal(r), id, true); err != nil {
		return db.Session{}, false, err
	}
	ss, err = s.hub.SetArchived(id, on, principal(r).User)
	if err != nil {
		return ss, false, lifeError(err)
	}
	action := "session.archive"
	if !on {
		action = "session.restore"
	}
	s.audit(r, action, id)
	if on && ss.Worktree != "" {
		var removed bool
		ss.WorktreeNote, removed = s.cleanupWorktree(r, ss)
		kept = !removed
	}
	return ss, kept, nil
}

// handleSessionForget deletes an ended or dead offline session's record
// and log (admins, or the owner of its machine); it must be confirmed.
func (s *Server) handleSessionForget(w http.ResponseWriter, r *http.Request) error {
	if err := parseLifeForm(w, r); err != nil {
		return err
	}
	if err := s.forgetSession(r, chi.URLParam(r, "id"), r.PostForm.Get("confirm") == "yes"); err != nil {
		return err
	}
	http.Redirect(w, r, "/", http.StatusSeeOther)
	return nil
}

// forgetSession is Forget for the form (confirmed by its tick) and the
// JSON API's DELETE (confirmed by the method): admins or the machine's
// owner, one transaction, its share links ended, audited.
func (s *Server) forgetSession(r *http.Request, id string, confirmed bool) error {
	p := principal(r)
	ss, err := s.visibleSession(p, id, true)
	if err != nil {
		return err
	}
	if !s.canForget(p, ss) {
		return errorf(http.StatusForbidden, "Only an admin or the owner of "+ss.Node+" may forget its sessions; archive it instead.")
	}
	if !confirmed {
		return errorf(http.StatusBadRequest, "Tick “Delete its record and log” to confirm, then press Forget.")
	}
	if _, err := s.hub.Forget(id); err != nil {
		return lifeError(err)
	}
	s.dropShares(id, "") // no share page outlives it
	s.audit(r, "session.forget", id+" #"+strconv.FormatUint(ss.Number, 10)+" "+quoteTitle(ss.Name()))
	return nil
}

// parseLifeForm reads one of the life page's small forms, bounded.
func parseLifeForm(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxLifeForm)
	if err := r.ParseForm(); err != nil {
		return errorf(http.StatusRequestEntityTooLarge, "The form is too large; reload the page and try again.")
	}
	return nil
}

// lifeError maps the refusals of archive and forget to 409s that say what
// to do.
func lifeError(err error) error {
	if errors.Is(err, db.ErrNotEnded) || errors.Is(err, hub.ErrStillConnected) {
		return errorf(http.StatusConflict, err.Error())
	}
	return err
}

// handleArchivedShow lists the archived sessions the person may see.
func (s *Server) handleArchivedShow(w http.ResponseWriter, r *http.Request) error {
	p := principal(r)
	sessions, err := s.store.Sessions()
	if err != nil {
		return err
	}
	var rows []views.ArchivedRow
	for _, ss := range sessions {
		if !ss.Archived || !p.CanSee(ss.Node) {
			continue
		}
		rows = append(rows, views.ArchivedRow{ID: ss.ID, Label: ss.Label(), Node: ss.Node, Status: ss.Status,
			By: ss.ArchivedBy, At: ss.ArchivedAt, CanRestore: p.CanDrive(ss.Node)})
	}
	return render(w, r, views.ArchivedPage(rows))
}
