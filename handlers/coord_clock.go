package handlers

import (
	"net/http"
	"strconv"
	"time"

	"github.com/ct-dev/ct/coord"
)

// The simulation clock's REST surface (coord/simclock.go, docs/api.md):
// any peer reads the clock and its report and subscribes to its ticks;
// members and admins (canWrite) set its speed, pause and resume it, since
// that changes the run for everyone.

// clockSetIn is POST /api/v1/clock's body.
type clockSetIn struct {
	Speed int  `json:"speed"`
	Reset bool `json:"reset,omitempty"` // start a new run: tick 0, empty report
	// Start is the new run's sim_time (RFC 3339); empty: now.
	Start time.Time `json:"start,omitzero"`
}

// clockSubIn is PUT /api/v1/clock/subscription's body.
type clockSubIn struct {
	Subscribe bool `json:"subscribe"`
}

// handleAPIClockShow is GET /api/v1/clock: the clock's state for the caller.
func (s *Server) handleAPIClockShow(w http.ResponseWriter, r *http.Request) error {
	_, v, err := s.peerOf(r)
	if err != nil {
		return coordErr(err)
	}
	writeJSON(w, http.StatusOK, s.simClock.State(v.Peer))
	return nil
}

// handleAPIClockSet is POST /api/v1/clock {speed, reset?, start?}.
func (s *Server) handleAPIClockSet(w http.ResponseWriter, r *http.Request) error {
	if err := canWrite(r); err != nil {
		return err
	}
	peer, _, err := s.peerOf(r)
	if err != nil {
		return coordErr(err)
	}
	var in clockSetIn
	if err := readJSON(w, r, &in); err != nil {
		return err
	}
	st, err := s.simClock.Set(in.Speed, in.Reset, in.Start)
	if err != nil {
		return coordErr(err)
	}
	s.audit(r, "clock.set", peer.Name+" x"+strconv.Itoa(in.Speed))
	st.Subscribed = s.simClock.State(peer.Name).Subscribed
	writeJSON(w, http.StatusOK, st)
	return nil
}

// handleAPIClockPause is POST /api/v1/clock/pause.
func (s *Server) handleAPIClockPause(w http.ResponseWriter, r *http.Request) error {
	return s.clockChange(w, r, "clock.pause", s.simClock.Pause)
}

// handleAPIClockResume is POST /api/v1/clock/resume.
func (s *Server) handleAPIClockResume(w http.ResponseWriter, r *http.Request) error {
	return s.clockChange(w, r, "clock.resume", s.simClock.Resume)
}

func (s *Server) clockChange(w http.ResponseWriter, r *http.Request, action string, change func() (coord.ClockState, error)) error {
	if err := canWrite(r); err != nil {
		return err
	}
	peer, _, err := s.peerOf(r)
	if err != nil {
		return coordErr(err)
	}
	st, err := change()
	if err != nil {
		return coordErr(err)
	}
	s.audit(r, action, peer.Name)
	writeJSON(w, http.StatusOK, st)
	return nil
}

// handleAPIClockSubscribe is PUT /api/v1/clock/subscription {subscribe}:
// the caller's peer gets (or stops getting) ticks on its event stream and
// wait_for_events. Reading is enough: a viewer may follow the clock.
func (s *Server) handleAPIClockSubscribe(w http.ResponseWriter, r *http.Request) error {
	_, v, err := s.peerOf(r)
	if err != nil {
		return coordErr(err)
	}
	var in clockSubIn
	if err := readJSON(w, r, &in); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s.simClock.Subscribe(v.Peer, in.Subscribe))
	return nil
}

// handleAPIClockReport is GET /api/v1/clock/report: the coordination
// actions per tick of the current or last run, counted by peer.
func (s *Server) handleAPIClockReport(w http.ResponseWriter, r *http.Request) error {
	if _, _, err := s.peerOf(r); err != nil {
		return coordErr(err)
	}
	writeJSON(w, http.StatusOK, s.simClock.Report())
	return nil
}
