package hub

import (
	"encoding/json"

	"github.com/ct-dev/ct/db"
	"github.com/ct-dev/ct/wire"
)

// SetTitle stores the title a person gave a session on its page ("" clears
// it) and tells the pages; title is cleaned by db.CleanTitle first.
func (h *Hub) SetTitle(id, title, by string) (db.Session, error) {
	ss, err := h.store.SetSessionTitle(id, db.CleanTitle(title), by)
	if err == db.ErrNotFound {
		return ss, ErrNotFound
	}
	if err == nil {
		h.notify().LobbyChanged()
	}
	return ss, err
}

// titleFromHook names an untitled session after the first prompt its agent
// took (Claude Code's UserPromptSubmit carries it as "prompt"): the
// person's own words, known exactly, where a terminal's OSC title is what
// the program chose to draw and changes with every turn.
func (h *Hub) titleFromHook(sessionID string, he wire.HookEvent) {
	if he.Event != "UserPromptSubmit" {
		return
	}
	var p struct {
		Prompt string `json:"prompt"`
	}
	if json.Unmarshal(he.Payload, &p) != nil {
		return
	}
	set, err := h.store.AutoTitle(sessionID, db.CleanTitle(p.Prompt), db.TitleByPrompt)
	if err != nil {
		h.log.Warn("title from first prompt", "session", sessionID, "error", err)
	}
	if set {
		h.notify().LobbyChanged()
	}
}

// agentSessionFromHook records the agent's own session id from its
// SessionStart hook (Claude Code and Codex send session_id in every
// payload), so an ended session can be resumed or forked on its node. Only
// a plain id is kept: it becomes an argument of the agent's command line.
func (h *Hub) agentSessionFromHook(sessionID string, he wire.HookEvent) {
	if he.Event != "SessionStart" {
		return
	}
	var p struct {
		SessionID string `json:"session_id"`
	}
	if json.Unmarshal(he.Payload, &p) != nil || wire.CheckAgentSessionID(p.SessionID) != nil {
		return
	}
	if err := h.store.SetAgentSession(sessionID, p.SessionID); err != nil {
		h.log.Warn("agent session id from SessionStart", "session", sessionID, "error", err)
	}
}
