package handlers

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/ct-dev/ct/auth"
	"github.com/ct-dev/ct/db"
	"github.com/ct-dev/ct/hub"
	"github.com/ct-dev/ct/views"
	"github.com/ct-dev/ct/wire"
	"github.com/go-chi/chi/v5"
)

// handleNodeSocket is ct node's control connection: it registers the
// machine and receives requests to start sessions. The sessions themselves
// stream over /ws/wrap like any wrap.
func (s *Server) handleNodeSocket(w http.ResponseWriter, r *http.Request) {
	s.serveMachineSocket(w, r, "node", "ct node needs a machine token: run ct login --hub URL on the workstation, or pass --token", s.hub.ServeNode)
}

// apiNode is a machine as GET /api/v1/nodes shows it.
type apiNode struct {
	Name     string           `json:"name"`
	Online   bool             `json:"online"`    // a ct node or a ct wrap is connected
	Node     bool             `json:"node"`      // a ct node is connected: sessions can be started
	OS       string           `json:"os"`        // as the machine last reported
	Version  string           `json:"version"`   // ct version
	Allow    []string         `json:"allow"`     // the node's own allow-list (enforced by the node)
	Roots    []string         `json:"roots"`     // the node's allowed working directories
	Sessions []apiNodeSession `json:"sessions"`  // sessions not ended
	LastSeen string           `json:"last_seen"` // RFC 3339
}

type apiNodeSession struct {
	ID      string `json:"id"`
	Command string `json:"command"`
	Cwd     string `json:"cwd"`
	Status  string `json:"status"`
}

// nodesFor lists the machines p may see, with what their ct node registered.
func (s *Server) nodesFor(p auth.Principal) ([]apiNode, error) {
	nodes, err := s.store.Nodes()
	if err != nil {
		return nil, err
	}
	sessions, err := s.store.Sessions()
	if err != nil {
		return nil, err
	}
	out := []apiNode{}
	index := map[string]int{}
	for _, n := range nodes {
		if !p.CanSee(n.Name) {
			continue
		}
		an := apiNode{Name: n.Name, Online: s.hub.NodeOnline(n.Name), OS: n.OS, Version: n.Version,
			Allow: []string{}, Roots: []string{}, Sessions: []apiNodeSession{}, LastSeen: n.LastSeen.Format("2006-01-02T15:04:05Z07:00")}
		if st, ok := s.hub.Node(n.Name); ok {
			an.Node, an.Allow, an.Roots = st.Online, st.Allow, st.Roots
		}
		index[n.Name] = len(out)
		out = append(out, an)
	}
	for _, ss := range sessions {
		if i, ok := index[ss.Node]; ok && ss.Status != db.StatusEnded {
			out[i].Sessions = append(out[i].Sessions, apiNodeSession{ID: ss.ID, Command: ss.Command, Cwd: ss.Cwd, Status: ss.Status})
		}
	}
	return out, nil
}

func (s *Server) handleAPINodesList(w http.ResponseWriter, r *http.Request) error {
	nodes, err := s.nodesFor(principal(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"nodes": nodes})
	return nil
}

// spawnRequest is POST /api/v1/nodes/{name}/sessions (and the lobby's form).
type spawnRequest struct {
	Command string `json:"command"`
	Cwd     string `json:"cwd"`
	Prompt  string `json:"prompt"`
	// Protocol is "" (the agent's terminal UI) or "app-server" (codex
	// through its JSON-RPC app-server).
	Protocol string `json:"protocol"`
	// Resume is a past agent session to continue (its own id, as
	// GET /api/v1/sessions/{id} shows in agent_session); Fork starts a new
	// conversation from it instead.
	Resume string `json:"resume"`
	Fork   bool   `json:"fork"`
	// Worktree: the node runs it in a new git worktree of cwd's
	// repository, on branch ct/<session id>; archiving it removes the
	// worktree when clean.
	Worktree bool `json:"worktree"`
}

// maxPrompt bounds a first prompt (a paragraph or a pasted issue, not a file).
const maxPrompt = 32 << 10

func (s *Server) handleAPINodeSessionCreate(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxPrompt+4096)
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	var in spawnRequest
	if err := dec.Decode(&in); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return errorf(http.StatusRequestEntityTooLarge, "request body over the limit; a first prompt is at most 32 KB")
		}
		return errorf(http.StatusBadRequest, `body must be JSON like {"command": "claude", "cwd": "/home/me/src/app", "prompt": "..."}: `+err.Error())
	}
	id, err := s.spawn(r, chi.URLParam(r, "name"), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, map[string]string{"session_id": id, "url": "/s/" + id})
	return nil
}

// handleNodeSessionCreate is the lobby's "+ New session" form: it opens
// the new session's page.
func (s *Server) handleNodeSessionCreate(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxPrompt+4096)
	if err := r.ParseForm(); err != nil {
		return errorf(http.StatusRequestEntityTooLarge, "form over the limit; a first prompt is at most 32 KB")
	}
	in := spawnRequest{Command: r.PostFormValue("command"), Cwd: r.PostFormValue("cwd"), Prompt: r.PostFormValue("prompt"),
		Worktree: r.PostFormValue("worktree") == "1", Resume: r.PostFormValue("resume"), Fork: r.PostFormValue("fork") == "1"}
	if c, ok := strings.CutSuffix(in.Command, views.AppServerSuffix); ok { // "Codex (app-server)"
		in.Command, in.Protocol = c, wire.ProtocolAppServer
	}
	id, err := s.spawn(r, chi.URLParam(r, "name"), in)
	if err != nil {
		return err
	}
	if r.Header.Get("HX-Request") == "true" {
		w.Header().Set("HX-Redirect", "/s/"+id)
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	http.Redirect(w, r, "/s/"+id, http.StatusSeeOther)
	return nil
}

// spawn checks the person's right and asks the node; every request is
// audited with its outcome. The node has the last word on what runs.
func (s *Server) spawn(r *http.Request, machine string, in spawnRequest) (string, error) {
	p := principal(r)
	if !p.CanSee(machine) {
		return "", errorf(http.StatusNotFound, "no such machine, or you may not see it")
	}
	if !p.OwnerCanDrive(machine) { // for an agent's credential (start_session): its owner's right
		return "", errorf(http.StatusForbidden, "starting sessions on "+machine+" needs the member or admin role and a grant for the machine")
	}
	in.Command, in.Cwd = strings.TrimSpace(in.Command), strings.TrimSpace(in.Cwd)
	if in.Command == "" {
		return "", errorf(http.StatusBadRequest, `"command" is required: one of the node's allowed commands (GET /api/v1/nodes)`)
	}
	if in.Protocol != "" && in.Protocol != wire.ProtocolAppServer {
		return "", errorf(http.StatusBadRequest, `"protocol" is "" (the agent's terminal UI) or "app-server" (codex through codex app-server)`)
	}
	if len(in.Prompt) > maxPrompt {
		return "", errorf(http.StatusRequestEntityTooLarge, "a first prompt is at most 32 KB")
	}
	subject, err := spawnSubject(machine, in)
	if err != nil {
		return "", err
	}
	if p.Kind == auth.KindAgent {
		subject += " (by the agent of session " + p.Session + ")"
	}
	ans, err := s.hub.Spawn(r.Context(), machine, wire.NodeSpawn{Command: in.Command, Cwd: in.Cwd, Prompt: in.Prompt, By: p.User,
		Protocol: in.Protocol, Resume: in.Resume, Fork: in.Fork, Worktree: in.Worktree})
	switch {
	case errors.Is(err, hub.ErrNodeOffline):
		s.audit(r, "node.spawn", subject+" (failed: node offline)")
		return "", errorf(http.StatusConflict, "no ct node is connected for "+machine+": run ct node on it")
	case errors.Is(err, hub.ErrNodeSilent):
		s.audit(r, "node.spawn", subject+" (failed: no answer)")
		return "", errorf(http.StatusGatewayTimeout, hub.ErrNodeSilent.Error())
	case err != nil:
		return "", err
	case ans.Refused != "":
		s.audit(r, "node.spawn", subject+" (refused by the node: "+ans.Refused+")")
		return "", errorf(http.StatusUnprocessableEntity, "the node refused: "+ans.Refused)
	}
	s.audit(r, "node.spawn", subject+" → "+ans.SessionID)
	return ans.SessionID, nil
}

// spawnSubject checks what a spawn request resumes and names the request
// for the audit log. The hub refuses a resume id that is not a plain id
// (no flags, no paths) before the node sees it; the node checks again.
func spawnSubject(machine string, in spawnRequest) (string, error) {
	subject := machine + " " + in.Command + " in " + in.Cwd
	if in.Protocol != "" {
		subject = machine + " " + in.Command + " (" + in.Protocol + ") in " + in.Cwd
	}
	if in.Worktree {
		subject += " (new worktree)"
	}
	switch {
	case in.Resume == "" && in.Fork:
		return "", errorf(http.StatusBadRequest, `"fork" needs "resume": the agent session id to fork`)
	case in.Resume == "":
		return subject, nil
	}
	if err := wire.CheckAgentSessionID(in.Resume); err != nil {
		return "", errorf(http.StatusBadRequest, `"resume": `+err.Error())
	}
	if in.Fork {
		return subject + " forking " + in.Resume, nil
	}
	return subject + " resuming " + in.Resume, nil
}
