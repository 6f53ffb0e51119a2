package hub

import "fmt"

// Fit mode: the person holding the wheel may size the program's PTY to
// their own screen (a phone shows 40 columns, not 120). The workstation
// then shows that smaller size too, as tmux does with several clients. The
// size goes back when they let go of the wheel, lose it, or leave the
// session; a workstation whose own terminal is typed at keeps its size
// (ptywrap decides that).

// fitState is an active fit: who asked and the size to go back to.
type fitState struct {
	by                 string
	prevCols, prevRows int
}

// ErrFitHolder is returned for a fit request from someone without the wheel.
var ErrFitHolder = fmt.Errorf("%w: only the person holding the wheel can size the terminal to their screen", ErrNotHolder)

// Fit sizes session id's PTY to cols×rows for user, who must hold the wheel
// (it is taken when free, as typing takes it).
func (h *Hub) Fit(id, user string, cols, rows int) error {
	if err := checkSize(cols, rows); err != nil {
		return err
	}
	s, took, err := h.drive(id, user)
	if err != nil {
		return err
	}
	s.scrMu.Lock()
	curCols, curRows := s.scr.Size()
	s.scrMu.Unlock()
	s.mu.Lock()
	w := s.wheelLocked()
	if w.fit == nil {
		w.fit = &fitState{prevCols: curCols, prevRows: curRows}
	}
	w.fit.by = user
	s.mu.Unlock()
	h.tookWheel(id, user, took)
	if took {
		h.notify().WheelChanged(id)
	}
	return h.Resize(id, cols, rows)
}

// Unfit gives session id its own size back if user's fit is active.
func (h *Hub) Unfit(id, user string) error {
	s, err := h.load(id)
	if err != nil {
		return err
	}
	s.mu.Lock()
	w := s.wheelLocked()
	var back *fitState
	if w.fit != nil && w.fit.by == user {
		back, w.fit = w.fit, nil
	}
	s.mu.Unlock()
	if back == nil {
		return nil
	}
	return h.Resize(id, back.prevCols, back.prevRows)
}

// settleFit ends a fit whose owner no longer holds the wheel or has no page
// open on the session: the PTY goes back to the size it had before.
func (h *Hub) settleFit(s *session) {
	s.mu.Lock()
	w := s.wheelLocked()
	var back *fitState
	if w.fit != nil && (w.holder != w.fit.by || w.viewers[w.fit.by] == nil) {
		back, w.fit = w.fit, nil
	}
	s.mu.Unlock()
	if back != nil {
		if err := h.Resize(s.id, back.prevCols, back.prevRows); err != nil {
			h.log.Debug("fit: size not restored", "session", s.id, "error", err)
		}
	}
}

// Fitted reports who has session id sized to their screen ("" for nobody).
func (h *Hub) Fitted(id string) string {
	s := h.peek(id)
	if s == nil {
		return ""
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if f := s.wheelLocked().fit; f != nil {
		return f.by
	}
	return ""
}
