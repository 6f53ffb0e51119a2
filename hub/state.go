package hub

import (
	"encoding/json"
	"time"

	"github.com/ct-dev/ct/db"
	"github.com/ct-dev/ct/wire"
)

// Session states as the lobby and the API show them.
const (
	StateWorking         = "working"          // output in the last few seconds
	StateWaitingInput    = "waiting_input"    // the agent finished its turn and waits for the person
	StateWaitingApproval = "waiting_approval" // a permission prompt is open
	StateIdle            = "idle"             // live, quiet
	StateOffline         = "offline"          // the workstation is not connected
	StateEnded           = "ended"
	StateEnding          = "ending" // ended on the workstation; ct flush is delivering its last output
)

// workingFor is how recent output must be for a session to count as working.
const workingFor = 3 * time.Second

// agentEvent notes what an agent's hooks say about whose turn it is.
// SessionStart (startup, resume, /clear) means the agent waits for its first
// prompt; only after a compaction, which may come mid-turn, does it not.
func (s *session) agentEvent(he wire.HookEvent) {
	var start struct {
		Source string `json:"source"`
	}
	if he.Event == "SessionStart" {
		_ = json.Unmarshal(he.Payload, &start)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	// Only Stop is a real end of turn: Notification also fires for a
	// permission dialog on screen, which typed text would answer.
	s.turnEnded = he.Event == "Stop"
	switch {
	case he.Event == "Stop", he.Event == "Notification":
		s.agentWaiting, s.agentWaitingAt = true, time.Now()
	case he.Event == "SessionStart" && start.Source != "compact":
		// Waiting for its first prompt; whoever started it is there, so
		// it is not announced (AgentWaiting stays false).
		s.agentWaiting, s.quietWaiting = false, true
	case he.Event == "UserPromptSubmit", he.Event == "PreToolUse", he.Event == "PostToolUse", he.Event == "SessionStart":
		s.agentWaiting, s.quietWaiting = false, false
	}
}

// interrupted notes that the main thread's question was refused at the
// terminal (Esc or "No"): Claude Code interrupts its turn ("What should
// Claude do instead?") and waits for its person, without any hook event.
// The person is at the terminal, so nobody is told (no push).
func (s *session) interrupted() {
	s.mu.Lock()
	s.quietWaiting = true
	s.mu.Unlock()
}

// State says what a session is doing now.
func (h *Hub) State(ss db.Session) string {
	switch ss.Status {
	case db.StatusEnded:
		return StateEnded
	case db.StatusOffline:
		return StateOffline
	}
	if pending, err := h.store.Prompts(db.PromptFilter{State: db.PromptPending, SessionID: ss.ID, Limit: 1}); err == nil && len(pending) > 0 {
		return StateWaitingApproval
	}
	h.mu.Lock()
	s := h.sessions[ss.ID]
	h.mu.Unlock()
	if s != nil {
		s.mu.Lock()
		waiting := s.agentWaiting || s.quietWaiting
		ending := s.tailBytes > 0
		s.mu.Unlock()
		if ending {
			return StateEnding
		}
		if waiting {
			return StateWaitingInput
		}
	}
	if time.Since(ss.LastActivity) < workingFor {
		return StateWorking
	}
	return StateIdle
}

// AgentWaiting reports whether a live session's agent finished its turn and
// waits for its person (as its hooks said).
func (h *Hub) AgentWaiting(id string) bool {
	s := h.loaded(id)
	if s == nil {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.agentWaiting
}

// turnUnknown forgets a finished turn: a question opened, or the wrap
// (re)connected and whatever is on screen now (a dialog left from before)
// was not announced by a Stop on this connection.
func (s *session) turnUnknown() {
	s.mu.Lock()
	s.turnEnded = false
	s.mu.Unlock()
}

// TurnEnded reports whether a live session's agent really ended its turn:
// its last hook event on the current connection was Stop, no question has
// opened since, and no prompt of the session is open. Only then may text be
// typed into it on the hub's own initiative (prompt notices).
func (h *Hub) TurnEnded(id string) bool {
	s := h.loaded(id)
	if s == nil {
		return false
	}
	s.mu.Lock()
	ended := s.turnEnded && s.conn != nil && s.question == nil
	s.mu.Unlock()
	if !ended {
		return false
	}
	open, err := h.store.Prompts(db.PromptFilter{State: db.PromptPending, SessionID: id, Limit: 1})
	return err == nil && len(open) == 0
}

// loaded returns session id if it is in memory (nil otherwise), without
// loading it: a session nobody loaded has no live state to report.
func (h *Hub) loaded(id string) *session {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.sessions[id]
}

// TailBytes is how much output of a program that already ended ct flush is
// still delivering (0: none).
func (h *Hub) TailBytes(id string) int64 {
	s := h.loaded(id)
	if s == nil {
		return 0
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tailBytes
}
