package handlers

import (
	"fmt"
	"io"
	"net/http"
	"strconv"

	"github.com/ct-dev/ct/auth"
	"github.com/ct-dev/ct/db"
	"github.com/ct-dev/ct/events"
)

// replayPage is how many stored events one read of a resuming stream
// takes: small enough to hold no long transaction, large enough to catch up
// fast.
const replayPage = 500

// eventsStream is the session and prompt half of GET /api/v1/events: a
// subscription taken before the replay, so the replay (since, last] from
// the store and the live events after last meet with no gap and no
// duplicate (events.Broker.Subscribe).
type eventsStream struct {
	sub   *events.Sub
	last  uint64 // newest event id when subscribed
	since uint64
	p     auth.Principal
}

// resumeFrom is where a reader resumes: Last-Event-ID (a browser's or a
// client's reconnect) or ?since=ID; ok is false when neither is given (a
// new reader starts with live events only).
func resumeFrom(r *http.Request) (since uint64, ok bool, err error) {
	v := r.Header.Get("Last-Event-ID")
	if v == "" {
		v = r.URL.Query().Get("since")
	}
	if v == "" {
		return 0, false, nil
	}
	since, err = strconv.ParseUint(v, 10, 64)
	if err != nil {
		return 0, false, errorf(http.StatusBadRequest, "since (or Last-Event-ID) is the id of the last session or prompt event you saw, such as 42")
	}
	return since, true, nil
}

// openEventsStream subscribes for p, resuming after since when resume is set.
func (s *Server) openEventsStream(p auth.Principal, since uint64, resume bool) *eventsStream {
	sub, last := s.events.Subscribe()
	if !resume {
		since = last
	}
	return &eventsStream{sub: sub, last: last, since: since, p: p}
}

func (s *Server) closeEventsStream(es *eventsStream) { s.events.Unsubscribe(es.sub) }

// replay writes the stored events after es.since up to es.last that the
// caller may see; a missed event (trimmed from the log) is said first.
func (s *Server) replay(w io.Writer, es *eventsStream) error {
	for es.since < es.last {
		page, first, err := s.store.EventsAfter(es.since, replayPage)
		if err != nil {
			return err
		}
		if first > es.since+1 {
			if err := writeMissed(w, es.since, first); err != nil {
				return err
			}
		}
		if len(page) == 0 {
			return nil
		}
		for _, rec := range page {
			if rec.ID > es.last {
				return nil // the live channel has it
			}
			if err := writeRecord(w, es.p, rec); err != nil {
				return err
			}
			es.since = rec.ID
		}
	}
	return nil
}

// writeMissed tells a resuming reader that events after since were trimmed
// before first: it should re-read the sessions and prompts it cares about.
func writeMissed(w io.Writer, since, first uint64) error {
	_, err := fmt.Fprintf(w, "event: missed\ndata: {\"type\":\"missed\",\"after\":%d,\"first\":%d}\n\n", since, first)
	return err
}

// writeRecord writes one session or prompt event with its id, if p may see
// its machine (the pages' rule, access.go); others are skipped unseen.
func writeRecord(w io.Writer, p auth.Principal, rec db.EventRecord) error {
	if !p.CanSee(rec.Node) {
		return nil
	}
	_, err := fmt.Fprintf(w, "id: %d\nevent: %s\ndata: %s\n\n", rec.ID, rec.Type, rec.Body)
	return err
}

// noEvents is the EventSource of a Server built without one: no events.
type noEvents struct{}

// Subscribe implements EventSource: a subscription that never delivers.
func (noEvents) Subscribe() (*events.Sub, uint64) { return &events.Sub{}, 0 }

// Unsubscribe implements EventSource.
func (noEvents) Unsubscribe(*events.Sub) {}
