package hub

import (
	"errors"
	"fmt"
	"sort"
	"time"
)

// The wheel: one person at a time drives a session. It is a soft lock held
// in memory (a restart frees every wheel, which is what a person expects
// after the hub went away). The workstation's own keyboard is not subject to
// it: that input never passes through the hub.

// DefaultWheelTimeout is how long a request for the wheel waits for the
// holder before it is granted, if the holder has not typed meanwhile
// (Options.WheelTimeout, ct serve --wheel-timeout).
const DefaultWheelTimeout = 30 * time.Second

// Fixed wheel timings.
const (
	// wheelGrace is how long a holder may be gone (no page open on the
	// session, no input) before the wheel frees itself: a reload or a
	// dropped phone connection must not lose it.
	wheelGrace = 10 * time.Second
	// typingFor is how long "X is typing" shows after X's last input.
	typingFor = 3 * time.Second
)

// ErrNotHolder is returned for input from someone without the wheel.
var ErrNotHolder = errors.New("someone else has the wheel")

// WheelState is what pages show about who drives.
type WheelState struct {
	Holder      string    `json:"holder"` // "" when free
	Since       time.Time `json:"since,omitzero"`
	Requester   string    `json:"requester,omitempty"`
	RequestedAt time.Time `json:"requested_at,omitzero"`
	Typing      string    `json:"typing,omitempty"` // holder typing in the last few seconds
	Terminal    bool      `json:"terminal"`         // someone is typing at the workstation
}

// Viewer is one person watching a session.
type Viewer struct {
	User   string `json:"user"`
	Device string `json:"device"` // phone | desktop
}

// wheel is a session's driving state; guarded by the session's mu.
type wheel struct {
	holder      string
	since       time.Time
	lastInput   time.Time
	lastBy      string // who sent the last input from the hub
	requester   string
	requestedAt time.Time
	terminalAt  time.Time
	viewers     map[string]map[string]int // user -> device -> open pages
	goneSince   time.Time                 // when the holder's last page closed
	fit         *fitState                 // the holder sized the PTY to their screen (fit.go)
	typing      typingNote                // the holder's input, for "X is typing"
	terminal    typingNote                // input at the workstation
}

// typingNote is when pages were last told that typing went on, and the one
// timer that refreshes them once it stops: pages are told when typing
// starts and when it ends, never per keystroke.
type typingNote struct {
	at    time.Time
	clear *time.Timer
}

func (w *wheel) state(now time.Time) WheelState {
	st := WheelState{Holder: w.holder, Since: w.since, Requester: w.requester, RequestedAt: w.requestedAt,
		Terminal: now.Sub(w.terminalAt) < typingFor}
	if w.holder != "" && now.Sub(w.lastInput) < typingFor {
		st.Typing = w.holder
	}
	return st
}

// expire applies the wheel's timers: an absent holder loses the wheel after
// the grace period; an unanswered request is granted after the wheel timeout if
// the holder stayed idle. It reports whether anything changed.
func (w *wheel) expire(now time.Time, timeout time.Duration) (changed bool, event string) {
	if w.holder != "" && w.viewers[w.holder] == nil && !w.goneSince.IsZero() &&
		now.Sub(w.goneSince) >= wheelGrace && now.Sub(w.lastInput) >= wheelGrace {
		prev := w.holder
		w.holder, w.since = "", time.Time{}
		if w.requester != "" {
			w.holder, w.since, w.requester = w.requester, now, ""
			return true, fmt.Sprintf("%s left; the wheel went to %s", prev, w.holder)
		}
		return true, prev + " left; the wheel is free"
	}
	if w.requester != "" && now.Sub(w.requestedAt) >= timeout && now.Sub(w.lastInput) >= timeout {
		prev := w.holder
		w.holder, w.since, w.requester = w.requester, now, ""
		return true, fmt.Sprintf("%s did not answer; the wheel went to %s", prev, w.holder)
	}
	return false, ""
}

func (s *session) wheelLocked() *wheel {
	if s.wheel == nil {
		s.wheel = &wheel{viewers: map[string]map[string]int{}}
	}
	return s.wheel
}

// Wheel returns who drives session id (nobody, for a session not in memory).
func (h *Hub) Wheel(id string) (WheelState, error) {
	s := h.peek(id)
	if s == nil {
		return WheelState{}, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.wheelLocked().state(time.Now()), nil
}

// Viewers lists who watches session id, by name.
func (h *Hub) Viewers(id string) []Viewer {
	s := h.peek(id)
	if s == nil {
		return nil // nobody watches a session that is not in memory
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Viewer
	for u, devs := range s.wheelLocked().viewers {
		for d := range devs {
			out = append(out, Viewer{User: u, Device: d})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].User+out[i].Device < out[j].User+out[j].Device })
	return out
}

// Present records that user opened (+1) or closed (-1) a page on session id.
func (h *Hub) Present(id, user, device string, delta int) {
	s, err := h.load(id)
	if err != nil {
		return
	}
	s.mu.Lock()
	w := s.wheelLocked()
	devs := w.viewers[user]
	if devs == nil {
		devs = map[string]int{}
		w.viewers[user] = devs
	}
	devs[device] += delta
	if devs[device] <= 0 {
		delete(devs, device)
	}
	if len(devs) == 0 {
		delete(w.viewers, user)
		if user == w.holder {
			w.goneSince = time.Now()
		}
		if user == w.requester {
			w.requester = "" // a request leaves with its asker
		}
	} else if user == w.holder {
		w.goneSince = time.Time{}
	}
	s.mu.Unlock()
	h.settleFit(s)
	h.scheduleWheel(s)
	h.notify().WheelChanged(id)
}

// peek returns session id if it is in memory, without loading it.
func (h *Hub) peek(id string) *session {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.sessions[id]
}

// checkDriver lets user's input through if they hold the wheel, taking it
// when it is free.
func (s *session) checkDriver(user string) (took bool, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	w := s.wheelLocked()
	now := time.Now()
	switch w.holder {
	case user:
	case "":
		w.holder, w.since, took = user, now, true
		if w.requester == user {
			w.requester = ""
		}
	default:
		return false, fmt.Errorf("%w: %s is driving this session; ask for the wheel first", ErrNotHolder, w.holder)
	}
	w.lastInput, w.lastBy = now, user
	return took, nil
}

// drive loads session id and lets user drive it (checkDriver).
func (h *Hub) drive(id, user string) (*session, bool, error) {
	s, err := h.load(id)
	if err != nil {
		return nil, false, err
	}
	took, err := s.checkDriver(user)
	return s, took, err
}

// tookWheel records that user took the free wheel by driving.
func (h *Hub) tookWheel(id, user string, took bool) {
	if took {
		h.wheelEvent(id, user, "wheel.take", user+" took the free wheel")
	}
}

// InputAs sends input typed by user, who must hold the wheel (it is taken
// when free).
func (h *Hub) InputAs(id, user string, data []byte) error {
	s, took, err := h.drive(id, user)
	if err != nil {
		return err
	}
	if err := h.Input(id, data); err != nil {
		return err
	}
	h.tookWheel(id, user, took)
	if h.noteTyping(s, false) || took {
		h.notify().WheelChanged(id) // "X is typing"
	}
	return nil
}

// WheelAction is one thing a person does with the wheel.
type WheelAction string

// Wheel actions.
const (
	WheelTake    WheelAction = "take"    // free wheel, or an admin taking over
	WheelRequest WheelAction = "request" // ask the holder
	WheelGive    WheelAction = "give"    // holder hands over to the requester
	WheelDecline WheelAction = "decline" // holder keeps it
	WheelRelease WheelAction = "release" // holder lets go
)

// DoWheel applies a wheel action by user (admin: may take over).
func (h *Hub) DoWheel(id, user string, admin bool, a WheelAction) error {
	s, err := h.load(id)
	if err != nil {
		return err
	}
	s.mu.Lock()
	w := s.wheelLocked()
	now := time.Now()
	var msg string
	switch a {
	case WheelTake:
		switch {
		case w.holder == user:
		case w.holder == "":
			w.holder, w.since, msg = user, now, user+" took the free wheel"
		case admin:
			msg = user + " (admin) took the wheel from " + w.holder
			w.holder, w.since = user, now
		default:
			s.mu.Unlock()
			return fmt.Errorf("%w: %s is driving; request the wheel instead", ErrNotHolder, w.holder)
		}
		if w.requester == user {
			w.requester = ""
		}
	case WheelRequest:
		switch {
		case w.holder == "" || w.holder == user:
			w.holder, w.since, msg = user, now, user+" took the free wheel"
		default:
			w.requester, w.requestedAt, msg = user, now, user+" asked "+w.holder+" for the wheel"
		}
	case WheelGive, WheelDecline:
		if w.holder != user {
			s.mu.Unlock()
			return fmt.Errorf("%w: only the holder can answer a request", ErrNotHolder)
		}
		if w.requester == "" {
			s.mu.Unlock()
			return errors.New("nobody is asking for the wheel")
		}
		if a == WheelGive {
			msg = user + " handed the wheel to " + w.requester
			w.holder, w.since, w.requester = w.requester, now, ""
		} else {
			msg = user + " declined " + w.requester + "'s request"
			w.requester = ""
		}
	case WheelRelease:
		if w.holder != user {
			s.mu.Unlock()
			return fmt.Errorf("%w: you do not have the wheel", ErrNotHolder)
		}
		msg = user + " let go of the wheel"
		w.holder, w.since = "", time.Time{}
		if w.requester != "" {
			w.holder, w.since, w.requester = w.requester, now, ""
			msg += "; it went to " + w.holder
		}
	default:
		s.mu.Unlock()
		return fmt.Errorf("unknown wheel action %q", a)
	}
	s.mu.Unlock()
	h.settleFit(s)
	h.scheduleWheel(s)
	if msg != "" {
		h.wheelEvent(id, user, "wheel."+string(a), msg)
	}
	h.notify().WheelChanged(id)
	return nil
}

// TerminalActive records that someone typed at the workstation itself.
func (h *Hub) terminalActive(s *session) {
	s.mu.Lock()
	s.wheelLocked().terminalAt = time.Now()
	s.mu.Unlock()
	if h.noteTyping(s, true) {
		h.notify().WheelChanged(s.id)
	}
}

// scheduleWheel arms a timer for the session's next wheel deadline.
func (h *Hub) scheduleWheel(s *session) {
	s.mu.Lock()
	w := s.wheelLocked()
	var wait time.Duration
	now := time.Now()
	if w.holder != "" && w.viewers[w.holder] == nil && !w.goneSince.IsZero() {
		wait = max(wheelGrace-now.Sub(w.goneSince), wheelGrace-now.Sub(w.lastInput))
	}
	if w.requester != "" {
		r := max(h.opts.WheelTimeout-now.Sub(w.requestedAt), h.opts.WheelTimeout-now.Sub(w.lastInput))
		if wait == 0 || r < wait {
			wait = r
		}
	}
	s.mu.Unlock()
	if wait <= 0 && (w.requester != "" || w.holder != "") {
		wait = 10 * time.Millisecond
	}
	if wait > 0 {
		time.AfterFunc(wait+10*time.Millisecond, func() { h.wheelTick(s) })
	}
}

func (h *Hub) wheelTick(s *session) {
	s.mu.Lock()
	changed, msg := s.wheelLocked().expire(time.Now(), h.opts.WheelTimeout)
	pending := s.wheel.requester != "" || (s.wheel.holder != "" && s.wheel.viewers[s.wheel.holder] == nil && !s.wheel.goneSince.IsZero())
	s.mu.Unlock()
	if changed {
		h.settleFit(s)
		h.wheelEvent(s.id, "hub", "wheel.auto", msg)
		h.notify().WheelChanged(s.id)
	}
	if pending {
		h.scheduleWheel(s)
	}
}

// noteTyping records typing (at the workstation when terminal) and reports
// whether pages must be told now: only when it starts. Either way it pushes
// back the one timer that refreshes pages once "is typing" has expired
// (typingFor after the last keystroke), so a keystroke allocates no timer.
func (h *Hub) noteTyping(s *session, terminal bool) (started bool) {
	now := time.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	n := &s.wheelLocked().typing
	if terminal {
		n = &s.wheel.terminal
	}
	started = now.Sub(n.at) >= typingFor
	n.at = now
	if n.clear == nil {
		n.clear = time.AfterFunc(typingFor+50*time.Millisecond, func() { h.notify().WheelChanged(s.id) })
	} else {
		n.clear.Reset(typingFor + 50*time.Millisecond)
	}
	return started
}

// wheelEvent reports a wheel change for the audit log.
func (h *Hub) wheelEvent(id, actor, action, msg string) {
	h.log.Info("wheel", "session", id, "actor", actor, "action", action, "what", msg)
	h.opts.Audit.Record(actor, action, id+": "+msg, "")
}
