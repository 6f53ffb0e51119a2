package handlers

import (
	"cmp"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/ct-dev/ct/auth"
	"github.com/ct-dev/ct/db"
)

// Agents that coordinate agents (issue 21, ct mcp's list_sessions,
// read_screen, read_transcript, send_input, start_session): an agent's
// credential reaches these few session calls under its owner's rights, as
// the pages authorise that person. It reads what the owner sees, types
// only while the owner holds the wheel (and never while a question is
// open), and starts sessions where the owner may. It never decides prompts.

// agentSessionRoute reports whether method and path are one of the session
// calls an agent's credential may make: GET /api/v1/sessions,
// GET /api/v1/sessions/{id}[/screen|/transcript],
// POST /api/v1/sessions/{id}/input, GET /api/v1/nodes and
// POST /api/v1/nodes/{name}/sessions. Not the log download, prompts or
// streams.
func agentSessionRoute(method, path string) bool {
	rest, ok := strings.CutPrefix(path, "/api/v1/")
	if !ok {
		return false
	}
	parts := strings.Split(rest, "/")
	switch {
	case method == http.MethodGet && (rest == "sessions" || rest == "nodes"):
		return true
	case len(parts) == 2 && parts[0] == "sessions" && parts[1] != "":
		return method == http.MethodGet
	case len(parts) == 3 && parts[0] == "sessions" && parts[1] != "":
		return (method == http.MethodGet && (parts[2] == "screen" || parts[2] == "transcript")) ||
			(method == http.MethodPost && parts[2] == "input")
	case len(parts) == 3 && parts[0] == "nodes" && parts[1] != "" && parts[2] == "sessions":
		return method == http.MethodPost
	}
	return false
}

// agentInput types data into session id for an agent's credential: its
// owner must be allowed to drive the machine and hold the wheel now
// (hub.InputForOwner). Every attempt is audited, refused ones too, with
// the agent's session as the actor's context.
func (s *Server) agentInput(r *http.Request, p auth.Principal, id string, data []byte) error {
	ss, err := s.visibleSession(p, id, false)
	if err != nil {
		return err
	}
	subject := id + " " + strconv.Itoa(len(data)) + " bytes by the agent of session " + p.Session
	if !p.OwnerCanDrive(ss.Node) {
		s.audit(r, "input.agent", subject+" (refused: "+p.User+" may not drive "+ss.Node+")")
		return forbidden(p, "type into sessions of "+ss.Node)
	}
	if err := s.hub.InputForOwner(id, p.User, data); err != nil {
		s.audit(r, "input.agent", subject+" (refused: "+err.Error()+")")
		return err
	}
	s.audit(r, "input.agent", subject)
	return nil
}

// apiSessionItem is one session of GET /api/v1/sessions: the session, what
// it is doing now, and the question it waits on, if any.
type apiSessionItem struct {
	apiSession
	State   string      `json:"state"`
	Waiting *apiWaiting `json:"waiting,omitempty"`
}

// apiWaiting is the oldest open prompt of a session, in brief: enough for
// an agent (or a script) to tell a person what waits, never to answer it.
type apiWaiting struct {
	ID      string `json:"id"`
	Tool    string `json:"tool"`
	Summary string `json:"summary,omitempty"` // the command, file or address asked about
	URL     string `json:"url"`               // where a person answers it
}

// waitingBySession indexes the open prompts by session, the oldest of each.
func (s *Server) waitingBySession() (map[string]*apiWaiting, error) {
	open, err := s.store.Prompts(db.PromptFilter{State: db.PromptPending})
	if err != nil {
		return nil, err
	}
	out := map[string]*apiWaiting{}
	for _, p := range open { // newest first: the oldest of a session is written last
		out[p.SessionID] = &apiWaiting{ID: p.ID, Tool: p.Tool, Summary: promptSummary(p), URL: "/p/" + p.ID}
	}
	return out, nil
}

// maxSummary bounds a waiting prompt's summary (a command can be long).
const maxSummary = 200

// promptSummary is what a prompt asks about in one line: the command, the
// file or the address, cut to maxSummary runes.
func promptSummary(p db.Prompt) string {
	var in struct {
		Command  string `json:"command"`
		FilePath string `json:"file_path"`
		URL      string `json:"url"`
		Question string `json:"question"` // a screen rule's matched line
	}
	_ = json.Unmarshal(p.Input, &in)
	sum := cmp.Or(in.Command, in.FilePath, in.URL, in.Question, p.Message)
	sum, _, _ = strings.Cut(sum, "\n")
	if r := []rune(sum); len(r) > maxSummary {
		sum = string(r[:maxSummary]) + "…"
	}
	return sum
}

// maxTranscriptLimit bounds one page of a transcript read with limit.
const maxTranscriptLimit = 500

// transcriptWindow applies ?since=N (skip the first N entries: the count
// already read) and ?limit=N (at most N entries, 1 to maxTranscriptLimit)
// to a transcript. Without them it is the whole transcript, as before.
func transcriptWindow(q url.Values, entries []txEntry) ([]txEntry, error) {
	if v := q.Get("since"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return nil, errorf(http.StatusBadRequest, "since is how many entries you already read (0 or more), such as 20")
		}
		entries = entries[min(n, len(entries)):]
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxTranscriptLimit {
			return nil, errorf(http.StatusBadRequest, "limit is how many entries to return, 1 to "+strconv.Itoa(maxTranscriptLimit))
		}
		entries = entries[:min(n, len(entries))]
	}
	return entries, nil
}
