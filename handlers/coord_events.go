package handlers

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ct-dev/ct/coord"
)

// handleAPIEventsWait is GET /api/v1/events/wait?since=ID&timeout=30&types=lock,todo:
// the coordination events after since that the caller may see (messages to
// or from it, every lock, todo, peer and skill notice), waiting up to
// timeout seconds (at most maxWait) for the first. No since means from
// now. The answer's next is the since of the following call; missed
// says events were dropped (re-read the inbox, locks and todos).
func (s *Server) handleAPIEventsWait(w http.ResponseWriter, r *http.Request) error {
	_, v, err := s.peerOf(r)
	if err != nil {
		return coordErr(err)
	}
	q := r.URL.Query()
	bus := s.coord.Bus()
	since := bus.LatestEventID()
	if sv := q.Get("since"); sv != "" {
		if since, err = strconv.ParseUint(sv, 10, 64); err != nil {
			return errorf(http.StatusBadRequest, "since is the id of the last event you saw (an answer's next), such as 42")
		}
	}
	timeout := 30 * time.Second
	if tv := q.Get("timeout"); tv != "" {
		n, err := strconv.Atoi(tv)
		if err != nil || n < 0 {
			return errorf(http.StatusBadRequest, "timeout is a number of seconds from 0 to 60, such as 30")
		}
		timeout = min(time.Duration(n)*time.Second, maxWait)
	}
	var types []string
	if tv := q.Get("types"); tv != "" {
		for _, t := range strings.Split(tv, ",") {
			if !slices.Contains(coord.EventTypes, t) {
				return errorf(http.StatusBadRequest, "types is a comma-separated list of "+strings.Join(coord.EventTypes, ", "))
			}
			types = append(types, t)
		}
	}
	limit := 0
	if lv := q.Get("limit"); lv != "" {
		if limit, err = strconv.Atoi(lv); err != nil || limit < 1 {
			return errorf(http.StatusBadRequest, "limit is how many events to return at most, 1 to "+strconv.Itoa(coord.MaxWaitEvents))
		}
	}
	// The wait ends with the client, the hub's stop (the bus closes) or timeout.
	ctx, cancel := context.WithTimeout(r.Context(), timeout)
	defer cancel()
	page := bus.Wait(ctx, coord.EventQuery{Viewer: v, Since: since, Types: types, Max: limit})
	for i := range page.Events {
		page.Events[i] = s.redactEvent(principal(r), page.Events[i])
	}
	writeJSON(w, http.StatusOK, page)
	return nil
}
