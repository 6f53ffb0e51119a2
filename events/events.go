// Package events owns ct's events out: the session and prompt events the
// hub records as they happen (started, ended, state changed, prompt opened
// and settled), numbered in bbolt so a reader resumes without gaps or
// duplicates, fanned out to live streams (GET /api/v1/events) and
// delivered, signed, to outbound webhooks with retries. It reads sessions
// and prompts and never changes them; it knows nothing of HTTP routes or
// pages (handlers/ serves the stream and the webhook pages).
package events

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/ct-dev/ct/db"
)

// Event types.
const (
	SessionStarted = "session.started"
	SessionEnded   = "session.ended"
	SessionState   = "session.state"
	PromptOpened   = "prompt.opened"
	PromptSettled  = "prompt.settled"
)

// Types lists every event type, for filters.
var Types = []string{SessionStarted, SessionEnded, SessionState, PromptOpened, PromptSettled}

// Event is one event as the stream and webhooks carry it (docs/api.md,
// "Events").
type Event struct {
	ID        uint64       `json:"id"`
	Type      string       `json:"type"`
	At        time.Time    `json:"at"`
	Node      string       `json:"node"`
	SessionID string       `json:"session_id"`
	Session   *SessionInfo `json:"session,omitempty"`
	Prompt    *PromptInfo  `json:"prompt,omitempty"`
}

// SessionInfo is a session as an event shows it.
type SessionInfo struct {
	Command   string `json:"command"`
	Agent     string `json:"agent,omitempty"`
	Cwd       string `json:"cwd,omitempty"`
	State     string `json:"state"`
	PrevState string `json:"prev_state,omitempty"`
	ExitCode  *int   `json:"exit_code,omitempty"`
	EndReason string `json:"end_reason,omitempty"`
}

// PromptInfo is a prompt as an event shows it. On prompt.settled, Via says
// how it was settled: web (a person on the hub's pages), api (a token),
// terminal (at the workstation's keyboard), rule (a rule answered it),
// hook (the agent's hook settled it itself) or hub (closed by the hub: the
// workstation disconnected, the hub restarted, terminal-only mode). By is
// who ("" when not known), Decision allow or deny ("" when not known).
type PromptInfo struct {
	ID       string          `json:"id"`
	Tool     string          `json:"tool"`
	Kind     string          `json:"kind"`
	Input    json.RawMessage `json:"input,omitempty"`
	State    string          `json:"state"`
	Decision string          `json:"decision,omitempty"`
	By       string          `json:"by,omitempty"`
	Via      string          `json:"via,omitempty"`
	Device   string          `json:"device,omitempty"`
	Message  string          `json:"message,omitempty"`
	Reason   string          `json:"reason,omitempty"` // closed_by or detail, for people
}

func sessionInfo(ss db.Session, state, prev string) *SessionInfo {
	return &SessionInfo{Command: ss.Command, Agent: ss.Agent, Cwd: ss.Cwd, State: state, PrevState: prev, ExitCode: ss.ExitCode, EndReason: ss.EndReason}
}

func promptInfo(p db.Prompt) *PromptInfo {
	pi := &PromptInfo{ID: p.ID, Tool: p.Tool, Kind: p.Kind, Input: p.Input, State: p.State}
	if p.State == db.PromptPending {
		return pi
	}
	// DecidedBy reads "alice from phone" for people: By is the person.
	pi.Decision, pi.By, pi.Device, pi.Message = p.Decision, strings.TrimSuffix(p.DecidedBy, " from "+p.Device), p.Device, p.Message
	pi.Via, pi.Reason = via(p), p.ClosedBy
	if pi.Reason == "" {
		pi.Reason = p.Detail
	}
	if p.ClosedBy == "terminal" {
		pi.By = "" // "the terminal" is how, not who
	}
	return pi
}

// via says how a settled prompt was settled (see PromptInfo).
func via(p db.Prompt) string {
	switch {
	case p.Scope == "rule" || strings.HasPrefix(p.DecidedBy, "rule"):
		return "rule"
	case p.State == db.PromptAllowed || p.State == db.PromptDenied:
		if p.Device == "api" {
			return "api"
		}
		return "web"
	case p.ClosedBy == "terminal":
		return "terminal"
	case p.ClosedBy == "agent":
		return "hook"
	}
	return "hub"
}
