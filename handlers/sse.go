package handlers

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ct-dev/ct/hub"
	"github.com/ct-dev/ct/views"
	"github.com/go-chi/chi/v5"
	"github.com/r3labs/sse/v2"
)

// maxStreams bounds open SSE streams so a misbehaving client cannot make the
// hub allocate one per request forever.
const maxStreams = 10000

// streams is the hub's Listener: it renders updates once and publishes them
// to one r3labs stream per open page. One stream per page (not per session)
// because r3labs delivers to a stream's subscribers in turn and would let one
// slow phone stall every other viewer; per page, a slow one only fails its
// own TryPublish and is resynced.
type streams struct {
	s      *Server
	server *sse.Server

	mu       sync.Mutex
	lobby    map[string]bool            // stream ids of open lobby pages
	sessions map[string]map[string]bool // session id -> stream ids of open session pages
	seq      uint64                     // event ids for the lobby
	wraps    map[closer]struct{}        // open wrap sockets, closed at shutdown
	wrapWG   sync.WaitGroup
	done     chan struct{} // closed at shutdown; stops the heartbeat
}

type closer interface{ closeGoingAway() }

func newStreams(s *Server) *streams {
	st := &streams{s: s, lobby: map[string]bool{}, sessions: map[string]map[string]bool{}, wraps: map[closer]struct{}{}, done: make(chan struct{})}
	srv := sse.NewWithCallback(st.subscribed, st.unsubscribed)
	// Replay would resend stale screens from the library's log; the page
	// render and a full resync on subscribe are the backlog instead.
	srv.AutoReplay = false
	srv.SplitData = true // HTML has newlines; each must become its own data: line
	srv.AutoStream = true
	srv.BufferSize = 64
	srv.Headers = map[string]string{"X-Accel-Buffering": "no"}
	st.server = srv
	go st.heartbeat()
	return st
}

// newStreamKey names a page's stream; the page keeps it across reconnects.
func newStreamKey() string {
	b := make([]byte, 9)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func validKey(k string) bool {
	if len(k) == 0 || len(k) > 32 {
		return false
	}
	for _, r := range k {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

func (st *streams) serve(w http.ResponseWriter, r *http.Request, streamID string) {
	st.mu.Lock()
	n := len(st.lobby)
	for _, m := range st.sessions {
		n += len(m)
	}
	st.mu.Unlock()
	if n >= maxStreams {
		http.Error(w, "too many open streams on this hub; close some tabs", http.StatusServiceUnavailable)
		return
	}
	// r3labs reads the stream name from ?stream=; chi's route carries it.
	r2 := r.Clone(r.Context())
	r2.URL.RawQuery = "stream=" + streamID
	st.s.log.Debug("stream open", "stream", streamID)
	st.server.ServeHTTP(w, r2)
	st.s.log.Debug("stream close", "stream", streamID)
}

func (s *Server) handleLobbyEvents(w http.ResponseWriter, r *http.Request) {
	k := r.URL.Query().Get("v")
	if !validKey(k) {
		http.Error(w, "missing or bad ?v= stream key; reload the page", http.StatusBadRequest)
		return
	}
	s.streams.serve(w, r, "lobby:"+k)
}

func (s *Server) handleSessionEvents(w http.ResponseWriter, r *http.Request) {
	id, k := chi.URLParam(r, "id"), r.URL.Query().Get("v")
	if !validKey(k) || strings.Contains(id, ":") {
		http.Error(w, "missing or bad ?v= stream key; reload the page", http.StatusBadRequest)
		return
	}
	if _, err := s.store.GetSession(id); err != nil {
		http.Error(w, "no such session", http.StatusNotFound)
		return
	}
	s.streams.serve(w, r, "s:"+id+":"+k)
}

// subscribed runs (in its own goroutine) when a page's stream connects or
// reconnects; it gets the full current state, so a page that lost its
// connection resumes without a reload.
func (st *streams) subscribed(streamID string, _ *sse.Subscriber) {
	kind, sid := parseStream(streamID)
	st.mu.Lock()
	switch kind {
	case "lobby":
		st.lobby[streamID] = true
	case "s":
		if st.sessions[sid] == nil {
			st.sessions[sid] = map[string]bool{}
		}
		st.sessions[sid][streamID] = true
	}
	st.mu.Unlock()
	switch kind {
	case "lobby":
		st.publishLobby([]string{streamID})
	case "s":
		st.s.hub.Watch(sid, +1)
		st.publishStatus(sid, []string{streamID})
	}
}

func (st *streams) unsubscribed(streamID string, _ *sse.Subscriber) {
	kind, sid := parseStream(streamID)
	st.mu.Lock()
	switch kind {
	case "lobby":
		delete(st.lobby, streamID)
	case "s":
		delete(st.sessions[sid], streamID)
		if len(st.sessions[sid]) == 0 {
			delete(st.sessions, sid)
		}
	}
	st.mu.Unlock()
	if kind == "s" {
		st.s.hub.Watch(sid, -1)
	}
}

func parseStream(id string) (kind, sid string) {
	parts := strings.SplitN(id, ":", 3)
	if len(parts) == 3 && parts[0] == "s" {
		return "s", parts[1]
	}
	return parts[0], ""
}

func (st *streams) viewers(sid string) []string {
	st.mu.Lock()
	defer st.mu.Unlock()
	out := make([]string, 0, len(st.sessions[sid]))
	for id := range st.sessions[sid] {
		out = append(out, id)
	}
	return out
}

// ScreenChanged renders a screen update once and sends it to every page
// watching the session.
func (st *streams) ScreenChanged(sid string, u hub.ScreenUpdate) {
	var b bytes.Buffer
	ctx := context.Background()
	if u.Full {
		b.WriteString(`<div id="rows" hx-swap-oob="true">`)
		rows := make([]string, u.NumRows)
		for i, r := range u.Rows {
			if i < len(rows) {
				rows[i] = r
			}
		}
		_ = views.Rows(rows).Render(ctx, &b)
		b.WriteString(`</div>`)
	} else {
		for i, r := range u.Rows {
			b.WriteString(`<div id="r` + strconv.Itoa(i) + `" hx-swap-oob="true">` + r + `</div>`)
		}
	}
	if len(u.History) > 0 {
		b.WriteString(`<div id="hist" hx-swap-oob="beforeend">`)
		for _, h := range u.History {
			b.WriteString("<div>" + h + "</div>")
		}
		b.WriteString(`</div>`)
	}
	ev := &sse.Event{ID: []byte(strconv.FormatUint(u.Version, 10)), Event: []byte("screen"), Data: b.Bytes()}
	for _, id := range st.viewers(sid) {
		if !st.server.TryPublish(id, ev) {
			// This page fell behind: it alone gets the whole screen next time.
			st.s.hub.Watch(sid, 0)
		}
	}
}

// LobbyChanged refreshes every open lobby and the status bar of every
// watched session.
func (st *streams) LobbyChanged() {
	st.mu.Lock()
	lobby := make([]string, 0, len(st.lobby))
	for id := range st.lobby {
		lobby = append(lobby, id)
	}
	sids := make([]string, 0, len(st.sessions))
	for sid := range st.sessions {
		sids = append(sids, sid)
	}
	st.mu.Unlock()
	if len(lobby) > 0 {
		st.publishLobby(lobby)
	}
	for _, sid := range sids {
		st.publishStatus(sid, st.viewers(sid))
	}
}

func (st *streams) publishLobby(ids []string) {
	l, err := st.s.lobbyModel()
	if err != nil {
		st.s.log.Error("lobby", "error", err)
		return
	}
	var b bytes.Buffer
	_ = views.LobbyList(l).Render(context.Background(), &b)
	if b.Len() == 0 {
		return // r3labs ends a stream on an empty event
	}
	st.mu.Lock()
	st.seq++
	id := strconv.FormatUint(st.seq, 10)
	st.mu.Unlock()
	for _, sid := range ids {
		st.server.TryPublish(sid, &sse.Event{ID: []byte(id), Event: []byte("lobby"), Data: b.Bytes()})
	}
}

func (st *streams) publishStatus(sid string, ids []string) {
	if len(ids) == 0 {
		return
	}
	snap, err := st.s.hub.Screen(sid)
	if err != nil {
		return
	}
	var b bytes.Buffer
	m := sessionModel(snap, "")
	m.OOB = true
	_ = views.SessionStatus(m).Render(context.Background(), &b)
	for _, id := range ids {
		st.server.TryPublish(id, &sse.Event{ID: []byte(strconv.FormatUint(snap.Version, 10)), Event: []byte("screen"), Data: b.Bytes()})
	}
}

// heartbeat sends a comment on every stream every 25 s so idle connections
// survive proxies and dead ones are noticed.
func (st *streams) heartbeat() {
	t := time.NewTicker(25 * time.Second)
	defer t.Stop()
	for {
		select {
		case <-st.done:
			return
		case <-t.C:
		}
		st.mu.Lock()
		ids := make([]string, 0, len(st.lobby))
		for id := range st.lobby {
			ids = append(ids, id)
		}
		for _, m := range st.sessions {
			for id := range m {
				ids = append(ids, id)
			}
		}
		st.mu.Unlock()
		for _, id := range ids {
			st.server.TryPublish(id, &sse.Event{Comment: []byte("ping")})
		}
	}
}
