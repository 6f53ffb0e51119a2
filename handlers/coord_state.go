package handlers

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/ct-dev/ct/coord"
	"github.com/go-chi/chi/v5"
)

// Shared state keys (docs/api.md): small named values with history. Each
// change is a "state" event on GET /api/v1/events; GET with after=VERSION
// and wait=DURATION is the long-poll form for a watcher without a stream.

func (s *Server) handleAPIStateSet(w http.ResponseWriter, r *http.Request) error {
	if err := canWrite(r); err != nil {
		return err
	}
	peer, _, err := s.peerOf(r)
	if err != nil {
		return coordErr(err)
	}
	var req coord.StateSetRequest
	if err := readJSON(w, r, &req); err != nil {
		return err
	}
	v, err := s.coord.SetState(peer.Name, chi.URLParam(r, "*"), req.Value)
	if err != nil {
		return coordErr(err)
	}
	s.audit(r, "state.set", v.Key+" v"+strconv.FormatUint(v.Version, 10)+" by "+peer.Name)
	writeJSON(w, http.StatusOK, v)
	return nil
}

// handleAPIStateGet is GET /api/v1/state/{key}[?history=1][&after=N&wait=30s]:
// with after, the call waits (up to wait, at most 60 s) for a version
// newer than N and answers 204 if none came.
func (s *Server) handleAPIStateGet(w http.ResponseWriter, r *http.Request) error {
	_, v, err := s.peerOf(r)
	if err != nil {
		return coordErr(err)
	}
	key, q := chi.URLParam(r, "*"), r.URL.Query()
	history := q.Get("history") != ""
	var after uint64
	var wait time.Duration
	if a := q.Get("after"); a != "" {
		if after, err = strconv.ParseUint(a, 10, 64); err != nil {
			return errorf(http.StatusBadRequest, "after is a version number (the version field of the last value you saw)")
		}
		if wait, err = time.ParseDuration(q.Get("wait")); err != nil || wait <= 0 {
			return errorf(http.StatusBadRequest, "with after, give wait as a duration such as 30s")
		}
		wait = min(wait, maxWait)
	}
	// Subscribe before the first read so a change in between is not missed.
	var sub *coord.Sub
	if wait > 0 {
		sub = s.coord.Bus().SubscribeQuiet(v.Peer, v.Groups)
		defer s.coord.Bus().Unsubscribe(sub)
	}
	cur, err := s.coord.GetState(key, history)
	if sub != nil && err == nil && cur.Version <= after {
		if !waitState(r.Context(), sub, key, after, wait) {
			w.WriteHeader(http.StatusNoContent)
			return nil
		}
		cur, err = s.coord.GetState(key, history)
	}
	if err != nil {
		return coordErr(err)
	}
	writeJSON(w, http.StatusOK, cur)
	return nil
}

// waitState waits up to wait for a "state" event on key newer than after.
func waitState(ctx context.Context, sub *coord.Sub, key string, after uint64, wait time.Duration) bool {
	ctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	for {
		select {
		case e, ok := <-sub.C:
			if !ok {
				return false // evicted or the hub is stopping: the caller asks again
			}
			if e.State != nil && e.State.Key == key && e.State.Version > after {
				return true
			}
		case <-ctx.Done():
			return false
		}
	}
}
