package handlers

import (
	"net/http"
	"strings"
	"time"

	"github.com/ct-dev/ct/coord"
	"github.com/go-chi/chi/v5"
)

// Path reservations (docs/api.md): leases on globs of a repository's
// paths, checked by ct guard's pre-commit hook. The holder is always the
// caller's peer; the repo is the name the caller gives.

func (s *Server) handleAPIReservationsList(w http.ResponseWriter, r *http.Request) error {
	if _, _, err := s.peerOf(r); err != nil {
		return coordErr(err)
	}
	list, err := s.coord.Reservations(r.URL.Query().Get("repo"))
	if err != nil {
		return err
	}
	if list == nil {
		list = []coord.Reservation{}
	}
	writeJSON(w, http.StatusOK, list)
	return nil
}

func (s *Server) handleAPIReserve(w http.ResponseWriter, r *http.Request) error {
	if err := canWrite(r); err != nil {
		return err
	}
	peer, _, err := s.peerOf(r)
	if err != nil {
		return coordErr(err)
	}
	var req coord.ReserveRequest
	if err := readJSON(w, r, &req); err != nil {
		return err
	}
	var ttl time.Duration
	if req.TTL != "" {
		if ttl, err = time.ParseDuration(req.TTL); err != nil {
			return errorf(http.StatusBadRequest, "ttl is a duration such as 30m or 2h")
		}
	}
	res, err := s.coord.Reserve(peer.Name, req.Repo, req.Globs, ttl, req.Reason)
	if err != nil {
		return coordErrRetry(w, err)
	}
	s.audit(r, "reservation.take", res.ID+" "+res.Repo+" "+strings.Join(res.Globs, " ")+" by "+peer.Name)
	writeJSON(w, http.StatusCreated, res)
	return nil
}

func (s *Server) handleAPIReservationRelease(w http.ResponseWriter, r *http.Request) error {
	if err := canWrite(r); err != nil {
		return err
	}
	peer, v, err := s.peerOf(r)
	if err != nil {
		return coordErr(err)
	}
	id := chi.URLParam(r, "reservation")
	force := r.URL.Query().Get("force") != ""
	if force && !v.Admin {
		return errorf(http.StatusForbidden, "only an admin can release someone else's reservation")
	}
	if err := s.coord.ReleaseReservation(peer.Name, id, force); err != nil {
		return coordErr(err)
	}
	s.audit(r, "reservation.release", id+" by "+peer.Name)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// handleAPIReservationsCheck is POST /api/v1/reservations/check: the
// paths of a commit that someone else's reservation covers. A viewer may
// check (it changes nothing).
func (s *Server) handleAPIReservationsCheck(w http.ResponseWriter, r *http.Request) error {
	peer, _, err := s.peerOf(r)
	if err != nil {
		return coordErr(err)
	}
	var req coord.CheckRequest
	if err := readJSON(w, r, &req); err != nil {
		return err
	}
	list, err := s.coord.CheckPaths(peer.Name, req.Repo, req.Paths)
	if err != nil {
		return coordErr(err)
	}
	if list == nil {
		list = []coord.PathConflict{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"conflicts": list})
	return nil
}
