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
