package appserver

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/ct-dev/ct/claudehook"
	"github.com/ct-dev/ct/wire"
)

// The decisions codex app-server takes for an approval request.
const (
	accept           = "accept"
	acceptForSession = "acceptForSession"
	decline          = "decline"
)

// ask is an approval that asks at this terminal: the hub had no answer
// (it is away, the session answers at the terminal only, or a key was
// pressed here while it waited).
type ask struct {
	text   string
	answer chan string // the decision; cap 1
}

// approval is what ct knows of one approval request.
type approval struct {
	ThreadID string `json:"threadId"`
	TurnID   string `json:"turnId"`
	ItemID   string `json:"itemId"`
	Command  string `json:"command"`
	Cwd      string `json:"cwd"`
	Reason   string `json:"reason"`
}

// request is a server request: approvals are answered off the loop (the
// hub may take minutes); anything else is refused at once so the server
// goes on.
func (r *runner) request(m message) {
	switch m.Method {
	case "item/commandExecution/requestApproval", "item/fileChange/requestApproval":
		var a approval
		_ = json.Unmarshal(m.Params, &a)
		go r.approve(m.ID, m.Method, a)
	default:
		_ = r.c.refuse(m.ID, m.Method)
	}
}

// approve asks the hub through the session's hook socket, as `ct hook
// PermissionRequest` does, falls back to this terminal, and answers the
// server. A deny's message, which the protocol's decline cannot carry,
// reaches the model as input steered into the same turn.
func (r *runner) approve(id json.RawMessage, method string, a approval) {
	cmd := shown(a.Command)
	tool, input, text := "Bash", map[string]any{"command": cmd}, "Codex asks to run: "+cmd
	if method == "item/fileChange/requestApproval" {
		r.filesMu.Lock()
		paths := r.files[a.ItemID]
		r.filesMu.Unlock()
		tool, input = "apply_patch", map[string]any{"changes": paths}
		text = "Codex asks to change: " + strings.Join(paths, ", ")
	}
	if a.Reason != "" {
		input["description"] = a.Reason
		text += "\n  Why: " + a.Reason
	}
	decision, message, ok := r.askHub(tool, input, a.Cwd)
	if !ok {
		decision = r.askHere(text)
	}
	if err := r.c.reply(id, map[string]string{"decision": decision}); err != nil {
		return
	}
	switch decision {
	case decline:
		r.out.printf("(declined)\n")
		if message != "" && a.TurnID != "" {
			steer := map[string]any{"threadId": a.ThreadID, "expectedTurnId": a.TurnID,
				"input": []map[string]string{{"type": "text", "text": "I declined that. " + message}}}
			if err := r.c.call("turn/steer", steer, nil); err != nil {
				r.out.printf("! the message could not reach Codex: %v\n", err)
			}
		}
	case acceptForSession:
		r.out.printf("(allowed for this session)\n")
	default:
		r.out.printf("(allowed)\n")
	}
}

// askHub asks the session's hook socket; ok is false when it gave no
// decision (no hub, terminal only, or released by a key here).
func (r *runner) askHub(tool string, input map[string]any, cwd string) (decision, message string, ok bool) {
	if r.cfg.Getenv("CT_HOOK_SOCK") == "" {
		return "", "", false
	}
	r.out.printf("Asked on the hub; press a key here to answer here instead…\n")
	payload, _ := json.Marshal(map[string]any{"hook_event_name": "PermissionRequest", "tool_name": tool,
		"tool_input": input, "cwd": cwd, "transcript_path": r.cfg.Transcript})
	var out bytes.Buffer
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { // the run ending releases the hook
		select {
		case <-r.ended:
			cancel()
		case <-ctx.Done():
		}
	}()
	claudehook.RunHook(ctx, "PermissionRequest", bytes.NewReader(payload), &out, r.cfg.Getenv)
	var reply struct {
		Out struct {
			Decision struct {
				Behavior string `json:"behavior"`
				Message  string `json:"message"`
				Scope    string `json:"scope"`
			} `json:"decision"`
		} `json:"hookSpecificOutput"`
	}
	if out.Len() == 0 || json.Unmarshal(out.Bytes(), &reply) != nil {
		return "", "", false
	}
	d := reply.Out.Decision
	switch {
	case d.Behavior == wire.DecisionAllow && d.Scope == "session":
		return acceptForSession, "", true
	case d.Behavior == wire.DecisionAllow:
		return accept, "", true
	case d.Behavior == wire.DecisionDeny:
		return decline, d.Message, true
	}
	return "", "", false
}

// askHere asks at this terminal and waits for the typed answer; the run
// ending declines.
func (r *runner) askHere(text string) string {
	a := ask{text: text, answer: make(chan string, 1)}
	select {
	case r.asks <- a:
	case <-r.ended:
		return decline
	}
	select {
	case d := <-a.answer:
		return d
	case <-r.ended:
		return decline
	}
}

// terminalDecision reads a typed answer: y, a, anything else is no.
func terminalDecision(line string) string {
	switch strings.ToLower(line) {
	case "y", "yes":
		return accept
	case "a", "always":
		return acceptForSession
	}
	return decline
}

// hookEvent tells the hub, through the hook socket, what the agent does
// (SessionStart, UserPromptSubmit, Stop), as Codex's own hooks would: the
// hub's session state (working, waiting for a prompt) follows them, and the
// Bridge follows the transcript file they name.
func (r *runner) hookEvent(event string, fields map[string]any) {
	if r.cfg.Getenv("CT_HOOK_SOCK") == "" {
		return
	}
	fields["hook_event_name"] = event
	fields["transcript_path"] = r.cfg.Transcript
	fields["cwd"] = r.cfg.Cwd
	payload, _ := json.Marshal(fields)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	claudehook.RunHook(ctx, event, bytes.NewReader(payload), &bytes.Buffer{}, r.cfg.Getenv)
}

// entryLog appends transcript entries to the file the node's Bridge tails.
type entryLog struct {
	mu sync.Mutex // the loop and approvals both write
	f  *os.File
}

func openEntryLog(path string) (*entryLog, error) {
	if path == "" {
		return &entryLog{}, nil
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open the transcript file: %w", err)
	}
	return &entryLog{f: f}, nil
}

func (l *entryLog) add(es ...wire.TranscriptEntry) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return
	}
	for _, e := range es {
		b, err := json.Marshal(e)
		if err == nil {
			_, _ = l.f.Write(append(b, '\n'))
		}
	}
}

func (l *entryLog) close() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f != nil {
		_ = l.f.Close()
	}
}

func errorEntry(msg string, ts time.Time) wire.TranscriptEntry {
	return wire.TranscriptEntry{Kind: wire.EntryError, TS: ts, Text: msg}
}
