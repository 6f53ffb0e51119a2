package handlers

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/ct-dev/ct/auth"
	"github.com/ct-dev/ct/db"
	"github.com/ct-dev/ct/hub"
	"github.com/ct-dev/ct/wire"
	"github.com/go-chi/chi/v5"
)

// api adapts a handler for the JSON API: errors are {"error": "..."}.
func (s *Server) api(h handlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		e := s.asError(r, h(w, r))
		s.logRequest(r, start, e)
		if e == nil {
			return
		}
		writeJSON(w, e.Status, map[string]string{"error": e.Msg})
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// apiSession is a session as the API shows it.
type apiSession struct {
	ID        string     `json:"id"`
	Node      string     `json:"node"`
	Command   string     `json:"command"`
	Args      []string   `json:"args"`
	Cwd       string     `json:"cwd"`
	Status    string     `json:"status"`
	ExitCode  *int       `json:"exit_code"`
	StartedAt time.Time  `json:"started_at"`
	EndedAt   *time.Time `json:"ended_at"`
	Bytes     int64      `json:"output_bytes"`
	Dropped   int64      `json:"dropped_bytes"`
	// Agent is the adapter its wrap declared (claude, codex, plain) and
	// Hooks whether ct's hooks are live in it.
	Agent string `json:"agent"`
	Hooks bool   `json:"hooks"`
	// EndReason says why it ended without its program's end ("the node
	// lost it"); absent when the program ended.
	EndReason string `json:"end_reason,omitempty"`
	// LogTrimmed: retention removed the session's event log.
	LogTrimmed bool `json:"log_trimmed,omitempty"`
	// LogTrimmedBefore: --max-session-log removed the events before this
	// seq; the log (and its download) starts there.
	LogTrimmedBefore uint64 `json:"log_trimmed_before,omitempty"`
	// Tokens is the agent's model usage, absent until it reports some.
	Tokens *apiTokens `json:"tokens,omitempty"`
	// Number is the session's short number on this hub (#42); Title its
	// title ("" when untitled), TitleBy who set it.
	Number  uint64 `json:"number,omitempty"`
	Title   string `json:"title,omitempty"`
	TitleBy string `json:"title_by,omitempty"`
	// Tags are the wrap's labels (ct wrap --tag).
	Tags []string `json:"tags,omitempty"`
	// Archived: put away from the lobby (listed under /archived), by
	// ArchivedBy.
	Archived   bool   `json:"archived,omitempty"`
	ArchivedBy string `json:"archived_by,omitempty"`
	// AgentSession is the agent's own session id (Claude's, Codex's):
	// what "resume" takes on POST /api/v1/nodes/{name}/sessions.
	AgentSession string `json:"agent_session,omitempty"`
	// Worktree is the branch of the git worktree ct node made for it;
	// WorktreeNote what archiving did with it (removed, or kept and why).
	Worktree     string `json:"worktree,omitempty"`
	WorktreeNote string `json:"worktree_note,omitempty"`
}

func toAPI(ss db.Session) apiSession {
	a := apiSession{ID: ss.ID, Node: ss.Node, Command: ss.Command, Args: ss.Args, Cwd: ss.Cwd, Status: ss.Status,
		ExitCode: ss.ExitCode, StartedAt: ss.StartedAt, Bytes: ss.OutputBytes, Dropped: ss.DroppedBytes,
		Agent: ss.Agent, Hooks: ss.Hooks, EndReason: ss.EndReason, LogTrimmed: ss.LogTrimmed, LogTrimmedBefore: ss.TrimmedBefore,
		Tokens: toAPITokens(ss.Tokens), Number: ss.Number, Title: ss.Title, TitleBy: ss.TitleBy, Tags: ss.Tags,
		Archived: ss.Archived, ArchivedBy: ss.ArchivedBy, AgentSession: ss.AgentSession,
		Worktree: ss.Worktree, WorktreeNote: ss.WorktreeNote}
	if a.Args == nil {
		a.Args = []string{}
	}
	if !ss.EndedAt.IsZero() {
		t := ss.EndedAt
		a.EndedAt = &t
	}
	return a
}

func (s *Server) handleAPISessionsList(w http.ResponseWriter, r *http.Request) error {
	list, err := s.store.Sessions()
	if err != nil {
		return err
	}
	waiting, err := s.waitingBySession()
	if err != nil {
		return err
	}
	out := make([]apiSessionItem, 0, len(list))
	for _, ss := range list {
		if principal(r).CanSee(ss.Node) {
			out = append(out, apiSessionItem{apiSession: toAPI(ss), State: s.hub.State(ss), Waiting: waiting[ss.ID]})
		}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) handleAPISessionShow(w http.ResponseWriter, r *http.Request) error {
	ss, err := s.visibleSession(principal(r), chi.URLParam(r, "id"), false)
	if err != nil {
		return err
	}
	wheel, _ := s.hub.Wheel(ss.ID)
	viewers := s.hub.Viewers(ss.ID)
	if viewers == nil {
		viewers = []hub.Viewer{}
	}
	out := struct {
		apiSession
		State   string         `json:"state"`
		Viewers []hub.Viewer   `json:"viewers"`
		Wheel   hub.WheelState `json:"wheel"`
	}{toAPI(ss), s.hub.State(ss), viewers, wheel}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) handleAPISessionScreen(w http.ResponseWriter, r *http.Request) error {
	id := chi.URLParam(r, "id")
	if _, err := s.visibleSession(principal(r), id, false); err != nil {
		return err
	}
	text, err := s.hub.ScreenText(id)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = io.WriteString(w, text)
	return nil
}

// logChunkWrite bounds how long one chunk of a log download may take to
// reach the client: a reader that stops reading is cut off instead of
// holding its connection (and, before chunking, the store) for ever.
const logChunkWrite = 30 * time.Second

// handleAPISessionLog streams every stored output byte, in order. The log is
// read in bounded chunks, each copied out of its own short read transaction,
// so a slow reader never holds the store; each chunk must be written within
// logChunkWrite.
func (s *Server) handleAPISessionLog(w http.ResponseWriter, r *http.Request) error {
	ss, err := s.visibleSession(principal(r), chi.URLParam(r, "id"), false)
	if err != nil {
		return err
	}
	return s.writeLog(w, r, ss)
}

// writeLog streams ss's stored output (the API's log and a share link's,
// share_log.go): chunk by chunk, each within logChunkWrite, until the end
// or the request's context ends.
func (s *Server) writeLog(w http.ResponseWriter, r *http.Request, ss db.Session) error {
	id := ss.ID
	w.Header().Set("Content-Type", "application/octet-stream")
	if ss.TrimmedBefore > 0 {
		// The oldest output was removed (--max-session-log): say where the
		// download starts, so it is not taken for the whole session.
		w.Header().Set("X-CT-Log-Trimmed-Before", strconv.FormatUint(ss.TrimmedBefore, 10))
	}
	rc := http.NewResponseController(w)
	var after uint64
	wrote := false
	for r.Context().Err() == nil {
		chunk, err := s.store.LogChunk(id, after)
		if err != nil {
			if !wrote {
				return err
			}
			s.log.Warn("log stream cut short", "session", id, "error", err)
			return nil
		}
		if len(chunk) == 0 {
			return nil
		}
		wrote = true
		_ = rc.SetWriteDeadline(time.Now().Add(logChunkWrite))
		for _, e := range chunk {
			after = e.Seq
			if e.Type != wire.TypePtyOutput {
				continue
			}
			if _, err := w.Write(e.Data); err != nil {
				s.log.Info("log reader went away", "session", id, "error", err)
				return nil
			}
		}
		if err := rc.Flush(); err != nil {
			return nil
		}
	}
	return nil
}

// inputRequest is POST /api/v1/sessions/{id}/input.
type inputRequest struct {
	Text *string  `json:"text"`
	Keys []string `json:"keys"`
}

func (s *Server) handleAPISessionInput(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, hub.MaxInput*2)
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	var in inputRequest
	if err := dec.Decode(&in); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return errorf(http.StatusRequestEntityTooLarge, "request body over the limit; send at most 64 KB of input at a time")
		}
		return errorf(http.StatusBadRequest, `body must be JSON like {"text": "ls\r"} or {"keys": ["Enter"]}: `+err.Error())
	}
	var data []byte
	switch {
	case in.Text != nil && in.Keys != nil:
		return errorf(http.StatusBadRequest, `send either "text" or "keys", not both`)
	case in.Text != nil:
		data = []byte(*in.Text)
	case in.Keys != nil:
		b, err := hub.Keys(in.Keys)
		if err != nil {
			return errorf(http.StatusBadRequest, err.Error())
		}
		data = b
	default:
		return errorf(http.StatusBadRequest, `body must have "text" (sent as typed) or "keys" (e.g. ["Enter","Ctrl-C"]); known keys: `+strings.Join(hub.KeyNames(), ", "))
	}
	if len(data) > hub.MaxInput {
		return errorf(http.StatusRequestEntityTooLarge, "input over 64 KB; send it in parts")
	}
	id, p := chi.URLParam(r, "id"), principal(r)
	if p.Kind == auth.KindAgent {
		if err := s.agentInput(r, p, id, data); err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, map[string]any{"ok": true, "bytes": len(data)})
		return nil
	}
	if _, err := s.visibleSession(p, id, true); err != nil {
		return err
	}
	if err := s.hub.InputAs(id, p.User, data); err != nil {
		return err
	}
	s.audit(r, "input", id+" "+strconv.Itoa(len(data))+" bytes")
	writeJSON(w, http.StatusOK, map[string]any{"ok": true, "bytes": len(data)})
	return nil
}
