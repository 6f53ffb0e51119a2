package hub

import "github.com/ct-dev/ct/wire"

// Commands is the slash commands the agent of session id takes, as its
// connected wrap declared them (cleaned: wire.CleanCommands); none while no
// wrap is connected, since nobody can send then.
func (h *Hub) Commands(id string) []wire.SlashCommand {
	s := h.loaded(id)
	if s == nil {
		return nil
	}
	s.mu.Lock()
	c := s.conn
	s.mu.Unlock()
	if c == nil {
		return nil
	}
	return append([]wire.SlashCommand(nil), c.commands...)
}
