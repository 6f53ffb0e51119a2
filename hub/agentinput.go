package hub

import (
	"errors"
	"fmt"
	"time"

	"github.com/ct-dev/ct/db"
)

// ErrQuestionOpen refuses an agent's input while the session shows a
// question: typed keys would answer it, and an agent never decides prompts.
var ErrQuestionOpen = errors.New("a question is open in this session")

// InputForOwner sends input from an agent acting for owner (ct mcp's
// send_input). Unlike InputAs it never takes a free wheel: owner must hold
// it now, so a person chose to drive the session and sees what their agent
// types. It is refused while a question (a hook prompt or a screen-rule
// question) is open, because keys typed then would answer it.
func (h *Hub) InputForOwner(id, owner string, data []byte) error {
	s, err := h.load(id)
	if err != nil {
		return err
	}
	s.mu.Lock()
	w := s.wheelLocked()
	holder, question := w.holder, s.question != nil
	s.mu.Unlock()
	switch {
	case holder == "":
		return fmt.Errorf("%w: nobody drives this session; %s must take the wheel on its page (or ct attach) before their agent may type", ErrNotHolder, owner)
	case holder != owner:
		return fmt.Errorf("%w: %s is driving this session; only the driver's own agents may type, so ask %s (a message or the wheel's Request button) to hand it to %s", ErrNotHolder, holder, holder, owner)
	}
	open, err := h.store.Prompts(db.PromptFilter{State: db.PromptPending, SessionID: id, Limit: 1})
	if err != nil {
		return err
	}
	if question || len(open) > 0 {
		return fmt.Errorf("%w; a person answers it on the hub, then send the input again", ErrQuestionOpen)
	}
	if err := h.Input(id, data); err != nil {
		return err
	}
	s.mu.Lock()
	s.wheel.lastInput, s.wheel.lastBy = time.Now(), owner // the holder's wheel stays busy while their agent types
	s.mu.Unlock()
	if h.noteTyping(s, false) {
		h.notify().WheelChanged(id) // "X is typing"
	}
	return nil
}
