package handlers

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/ct-dev/ct/coord"
	"github.com/go-chi/chi/v5"
)

// maxWait bounds a long-poll (GET /api/v1/messages?wait=30s): long enough
// to make polling agents cheap, short enough for proxies' idle timeouts.
const maxWait = 60 * time.Second

func (s *Server) handleAPIMessagesList(w http.ResponseWriter, r *http.Request) error {
	_, v, err := s.peerOf(r)
	if err != nil {
		return coordErr(err)
	}
	q := r.URL.Query()
	f := coord.MessageFilterFrom(q)
	switch f.Box {
	case "", "inbox", "sent", "all", "hub", "private":
	default:
		return errorf(http.StatusBadRequest, "box is inbox (to me), sent, all (sent and received), hub (everything you may see) or private (your private space)")
	}
	var wait time.Duration
	if ws := q.Get("wait"); ws != "" {
		if wait, err = time.ParseDuration(ws); err != nil || wait < 0 {
			return errorf(http.StatusBadRequest, "wait is a duration such as 30s")
		}
		wait = min(wait, maxWait)
	}
	// Subscribe before the first read so a message sent in between is not missed.
	var sub *coord.Sub
	if wait > 0 {
		sub = s.coord.Bus().SubscribeAs(v, true)
		defer s.coord.Bus().Unsubscribe(sub)
	}
	list, err := s.coord.Messages(v, f)
	if err != nil {
		return err
	}
	if len(list) == 0 && sub != nil {
		ctx, cancel := context.WithTimeout(r.Context(), wait)
		defer cancel()
	loop:
		for {
			select {
			case e, ok := <-sub.C:
				if !ok {
					break loop
				}
				if e.Message == nil {
					continue
				}
				if list, err = s.coord.Messages(v, f); err != nil || len(list) > 0 {
					break loop
				}
			case <-ctx.Done():
				break loop
			}
		}
		if err != nil {
			return err
		}
	}
	if list == nil {
		list = []coord.Message{}
	}
	writeJSON(w, http.StatusOK, list)
	return nil
}

func (s *Server) handleAPIMessageSend(w http.ResponseWriter, r *http.Request) error {
	if err := canWrite(r); err != nil {
		return err
	}
	peer, _, err := s.peerOf(r)
	if err != nil {
		return coordErr(err)
	}
	var m coord.Message
	if err := readJSON(w, r, &m); err != nil {
		return err
	}
	m.Source, m.Late = "", false // set by the hub, never by a sender (Send keeps a given id as origin_id)
	m, err = s.coord.Send(peer.Name, m)
	if err != nil {
		return coordErrRetry(w, err)
	}
	s.audit(r, "message.send", coord.AuditLine(m))
	writeJSON(w, http.StatusCreated, m)
	return nil
}

func (s *Server) handleAPIMessageShow(w http.ResponseWriter, r *http.Request) error {
	_, v, err := s.peerOf(r)
	if err != nil {
		return coordErr(err)
	}
	m, err := s.coord.Message(v, chi.URLParam(r, "msg"), r.URL.Query().Get("peek") == "")
	if err != nil {
		return coordErr(err)
	}
	writeJSON(w, http.StatusOK, m)
	return nil
}

func (s *Server) handleAPIMessageAck(w http.ResponseWriter, r *http.Request) error {
	_, v, err := s.peerOf(r)
	if err != nil {
		return coordErr(err)
	}
	m, err := s.coord.Ack(v, chi.URLParam(r, "msg"))
	if err != nil {
		return coordErr(err)
	}
	writeJSON(w, http.StatusOK, m)
	return nil
}

// handleAPIEvents streams the caller's live events as server-sent events
// (event: TYPE, data: one JSON object): coordination events (messages to
// it and every notice: locks, todos, peers) and the session and prompt
// events of the machines it may see (events_out.go), which carry an SSE id
// and resume from Last-Event-ID or ?since=ID. It is the push channel for
// scripts and ct mcp; a reader too slow for its buffer is cut off, resumes
// session events by id and re-reads its inbox (GET
// /api/v1/messages?after=ID) when it reconnects.
func (s *Server) handleAPIEvents(w http.ResponseWriter, r *http.Request) {
	_, v, err := s.peerOf(r)
	if err != nil {
		e := s.asError(r, coordErr(err))
		writeJSON(w, e.Status, map[string]string{"error": e.Msg})
		return
	}
	since, resume, err := resumeFrom(r)
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": s.asError(r, err).Msg})
		return
	}
	fl, ok := w.(http.Flusher)
	if !ok {
		writeJSON(w, http.StatusInternalServerError, map[string]string{"error": "streaming is not supported here"})
		return
	}
	ctx, _, release, err := s.live.hold(w, r) // capped; closed on revoke, logout, rights cut
	if err != nil {
		writeJSON(w, streamStatus(err), map[string]string{"error": err.Error()})
		return
	}
	defer release()
	sub := s.coord.Bus().SubscribeAs(v, false) // with the caller's private space
	defer s.coord.Bus().Unsubscribe(sub)
	es := s.openEventsStream(principal(r), since, resume)
	defer s.closeEventsStream(es)
	s.log.Info("coord stream open", "peer", v.Peer)
	defer s.log.Info("coord stream closed", "peer", v.Peer)
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Accel-Buffering", "no") // proxies must not hold events back
	w.WriteHeader(http.StatusOK)
	// "ready" tells the client it is subscribed: anything sent from now on reaches it.
	if writeEvent(w, coord.Event{Type: "ready", At: time.Now().UTC()}) != nil {
		return
	}
	if err := s.replay(w, es); err != nil {
		s.log.Warn("events stream replay", "error", err)
		return
	}
	fl.Flush()
	// A heartbeat keeps idle proxies from closing the stream.
	beat := time.NewTicker(25 * time.Second)
	defer beat.Stop()
	for {
		select {
		case e, ok := <-sub.C:
			if !ok {
				return // evicted (too slow) or the hub is stopping
			}
			if writeEvent(w, s.redactEvent(principal(r), e)) != nil {
				return
			}
			fl.Flush()
		case rec, ok := <-es.sub.C:
			if !ok {
				return // evicted (too slow) or the hub is stopping: resume by id
			}
			if writeRecord(w, es.p, rec) != nil {
				return
			}
			fl.Flush()
		case <-beat.C:
			if _, err := io.WriteString(w, ": heartbeat\n\n"); err != nil {
				return
			}
			fl.Flush()
		case <-ctx.Done():
			return
		}
	}
}

func writeEvent(w io.Writer, e coord.Event) error {
	b, err := json.Marshal(e)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "event: %s\ndata: %s\n\n", e.Type, b)
	return err
}
