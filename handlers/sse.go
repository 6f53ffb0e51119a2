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

	"github.com/ct-dev/ct/auth"
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

	mu     sync.Mutex
	topics map[string]map[string]bool // topic -> stream ids of open pages
	who    map[string]*viewer         // stream id -> who is looking (lists are rendered per person)
	seq    uint64                     // event ids for list pages
	wraps  map[closer]struct{}        // open wrap sockets, closed at shutdown
	wrapWG sync.WaitGroup
	done   chan struct{} // closed at shutdown; stops the heartbeat

	lobbyPending bool // a throttled lobby refresh is scheduled

	tx txSent // transcript entries each session page has (transcript.go)
}

// Topics a page can follow. A stream id is "<topic>:<page key>".
const (
	topicLobby     = "lobby"
	topicApprovals = "a"
)

func topicSession(id string) string { return "s:" + id }
func topicPrompt(id string) string  { return "p:" + id }

type closer interface{ closeGoingAway() }

func newStreams(s *Server) *streams {
	st := &streams{s: s, topics: map[string]map[string]bool{}, who: map[string]*viewer{}, wraps: map[closer]struct{}{}, done: make(chan struct{})}
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

// serve runs the r3labs stream for one page following topic.
func (st *streams) serve(w http.ResponseWriter, r *http.Request, topic string) {
	k := r.URL.Query().Get("v")
	if !validKey(k) {
		http.Error(w, "missing or bad ?v= stream key; reload the page", http.StatusBadRequest)
		return
	}
	st.mu.Lock()
	n := 0
	for _, m := range st.topics {
		n += len(m)
	}
	st.mu.Unlock()
	if n >= maxStreams {
		http.Error(w, "too many open streams on this hub; close some tabs", http.StatusServiceUnavailable)
		return
	}
	streamID := topic + ":" + k
	st.mu.Lock()
	v := st.who[streamID]
	if v == nil {
		v = &viewer{}
		st.who[streamID] = v
	}
	v.p, v.device, v.hubURL, v.conns = principal(r), deviceOf(r), hubURL(r), v.conns+1
	st.mu.Unlock()
	// r3labs reads the stream name from ?stream=; chi's route carries it.
	r2 := r.Clone(r.Context())
	r2.URL.RawQuery = "stream=" + streamID
	st.s.log.Debug("stream open", "stream", streamID)
	// Presence is the open connection itself: counted here, around the
	// stream's whole life, so a connection that drops always uncounts.
	sid, isSession := strings.CutPrefix(topic, "s:")
	if isSession {
		st.s.hub.Present(sid, principal(r).User, deviceOf(r), +1)
	}
	st.server.ServeHTTP(w, r2)
	if isSession {
		st.s.hub.Present(sid, principal(r).User, deviceOf(r), -1)
	}
	st.s.log.Debug("stream close", "stream", streamID)
	st.mu.Lock()
	if v.conns--; v.conns == 0 {
		delete(st.who, streamID)
	}
	st.mu.Unlock()
}

func (s *Server) handleLobbyEvents(w http.ResponseWriter, r *http.Request) {
	s.streams.serve(w, r, topicLobby)
}

func (s *Server) handleApprovalsEvents(w http.ResponseWriter, r *http.Request) {
	s.streams.serve(w, r, topicApprovals)
}

func (s *Server) handleSessionEvents(w http.ResponseWriter, r *http.Request) {
	id := chi.URLParam(r, "id")
	if _, err := s.visibleSession(principal(r), id, false); err != nil || strings.Contains(id, ":") {
		http.Error(w, "no such session", http.StatusNotFound)
		return
	}
	s.streams.serve(w, r, topicSession(id))
}

func (s *Server) handlePromptEvents(w http.ResponseWriter, r *http.Request) {
	id := chi.URLParam(r, "id")
	if _, err := s.visiblePrompt(principal(r), id, false); err != nil || strings.Contains(id, ":") {
		http.Error(w, "no such prompt", http.StatusNotFound)
		return
	}
	s.streams.serve(w, r, topicPrompt(id))
}

// topicOf splits a stream id into its topic.
func topicOf(streamID string) string {
	if i := strings.LastIndexByte(streamID, ':'); i > 0 {
		return streamID[:i]
	}
	return streamID
}

// subscribed runs (in its own goroutine) when a page's stream connects or
// reconnects; it gets the full current state, so a page that lost its
// connection resumes without a reload.
func (st *streams) subscribed(streamID string, _ *sse.Subscriber) {
	topic := topicOf(streamID)
	st.mu.Lock()
	if st.topics[topic] == nil {
		st.topics[topic] = map[string]bool{}
	}
	st.topics[topic][streamID] = true
	st.mu.Unlock()
	ids := []string{streamID}
	switch {
	case topic == topicLobby:
		st.publishLobby(ids)
	case topic == topicApprovals:
		st.publishPending(ids)
	case strings.HasPrefix(topic, "s:"):
		sid := strings.TrimPrefix(topic, "s:")
		st.s.hub.Watch(sid, +1)
		st.publishStatus(sid, ids)
		st.WheelChanged(sid) // the new page gets the presence bar
		st.publishSessionPrompts(sid, ids)
		st.publishTranscript(sid, ids)
	case strings.HasPrefix(topic, "p:"):
		st.publishPrompt(strings.TrimPrefix(topic, "p:"), ids)
	}
}

func (st *streams) unsubscribed(streamID string, _ *sse.Subscriber) {
	topic := topicOf(streamID)
	st.tx.forget(streamID)
	st.mu.Lock()
	delete(st.topics[topic], streamID)
	if len(st.topics[topic]) == 0 {
		delete(st.topics, topic)
	}
	st.mu.Unlock()
	if strings.HasPrefix(topic, "s:") {
		st.s.hub.Watch(strings.TrimPrefix(topic, "s:"), -1)
	}
}

// following lists the stream ids of pages following topic.
func (st *streams) following(topic string) []string {
	st.mu.Lock()
	defer st.mu.Unlock()
	out := make([]string, 0, len(st.topics[topic]))
	for id := range st.topics[topic] {
		out = append(out, id)
	}
	return out
}

// nextID numbers events of list pages.
func (st *streams) nextID() []byte {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.seq++
	return []byte(strconv.FormatUint(st.seq, 10))
}

// publish sends one rendered event to each stream; empty data is never sent
// (r3labs would end the stream).
func (st *streams) publish(ids []string, event string, id []byte, data []byte) {
	if len(data) == 0 {
		return
	}
	for _, sid := range ids {
		st.server.TryPublish(sid, &sse.Event{ID: id, Event: []byte(event), Data: data})
	}
}

// ScreenChanged renders a screen update once and sends it to every page
// watching the session.
func (st *streams) ScreenChanged(sid string, u hub.ScreenUpdate) {
	var b bytes.Buffer
	_ = views.ScreenUpdate(views.ScreenPatch{Full: u.Full, NumRows: u.NumRows, Rows: u.Rows, History: u.History}).Render(context.Background(), &b)
	ev := &sse.Event{ID: []byte(strconv.FormatUint(u.Version, 10)), Event: []byte("screen"), Data: b.Bytes()}
	for _, id := range st.following(topicSession(sid)) {
		if !st.server.TryPublish(id, ev) {
			// This page fell behind: it alone gets the whole screen next time.
			st.s.hub.Watch(sid, 0)
		}
	}
}

// LobbyChanged refreshes every open lobby and the status bar of every
// watched session.
func (st *streams) LobbyChanged() {
	if ids := st.following(topicLobby); len(ids) > 0 {
		st.publishLobby(ids)
	}
	for _, topic := range st.sessionTopics() {
		sid := strings.TrimPrefix(topic, "s:")
		st.publishStatus(sid, st.following(topic))
	}
}

func (st *streams) sessionTopics() []string {
	st.mu.Lock()
	defer st.mu.Unlock()
	var out []string
	for t := range st.topics {
		if strings.HasPrefix(t, "s:") {
			out = append(out, t)
		}
	}
	return out
}

// PromptsChanged refreshes everything that shows prompts: the session's
// pinned panel, the lobby's waiting count, the approvals page's pending list
// and the prompt's own page.
func (st *streams) PromptsChanged(sessionID, promptID string) {
	if ids := st.following(topicSession(sessionID)); len(ids) > 0 {
		st.publishSessionPrompts(sessionID, ids)
		st.publishTranscript(sessionID, ids) // a settled prompt is an approval entry
	}
	if ids := st.following(topicLobby); len(ids) > 0 {
		st.publishLobby(ids)
	}
	if ids := st.following(topicApprovals); len(ids) > 0 {
		st.publishPending(ids)
	}
	if ids := st.following(topicPrompt(promptID)); len(ids) > 0 {
		st.publishPrompt(promptID, ids)
	}
}

func (st *streams) publishLobby(ids []string) {
	id := st.nextID()
	for _, g := range st.byViewer(ids) {
		l, err := st.s.lobbyModel(g.p)
		if err != nil {
			st.s.log.Error("lobby", "error", err)
			return
		}
		l.HubURL = g.hubURL
		var b bytes.Buffer
		_ = views.LobbyList(l).Render(context.Background(), &b)
		st.publish(g.ids, "lobby", id, b.Bytes())
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
	st.publish(ids, "screen", []byte(strconv.FormatUint(snap.Version, 10)), b.Bytes())
}

func (st *streams) publishSessionPrompts(sid string, ids []string) {
	id := st.nextID()
	for _, g := range st.byViewer(ids) {
		ps, err := st.s.sessionPrompts(g.p, sid)
		if err != nil {
			return
		}
		var b bytes.Buffer
		_ = views.SessionPrompts(ps, true).Render(context.Background(), &b)
		st.publish(g.ids, "screen", id, b.Bytes())
	}
}

func (st *streams) publishPending(ids []string) {
	id := st.nextID()
	for _, g := range st.byViewer(ids) {
		ps, err := st.s.pendingPrompts(g.p, "")
		if err != nil {
			return
		}
		var b bytes.Buffer
		_ = views.PendingList(ps, true).Render(context.Background(), &b)
		st.publish(g.ids, "prompts", id, b.Bytes())
	}
}

func (st *streams) publishPrompt(pid string, ids []string) {
	p, err := st.s.store.GetPrompt(pid)
	if err != nil {
		return
	}
	id := st.nextID()
	for _, g := range st.byViewer(ids) {
		m := st.s.promptModel(p)
		m.CanAnswer = g.p.CanDrive(p.Node)
		var b bytes.Buffer
		_ = views.PromptCard(m, true).Render(context.Background(), &b)
		st.publish(g.ids, "prompts", id, b.Bytes())
	}
}

// viewer is who looks at one page's stream.
type viewer struct {
	p      auth.Principal
	device string // phone | desktop
	hubURL string // the hub's address as this page reached it
	conns  int    // open connections of this stream id (a reconnect may overlap)
}

func (st *streams) viewerOf(streamID string) *viewer {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.who[streamID]
}

// group is the streams of people who see the same thing.
type group struct {
	p      auth.Principal
	hubURL string
	ids    []string
}

// byViewer groups streams by what their viewers may see, so each list is
// rendered once per distinct set of rights, not once per page.
func (st *streams) byViewer(ids []string) []group {
	st.mu.Lock()
	defer st.mu.Unlock()
	idx := map[string]int{}
	var out []group
	for _, id := range ids {
		v := st.who[id]
		if v == nil {
			continue // gone already
		}
		key := v.p.Role + "|" + strings.Join(v.p.Grants, ",")
		i, ok := idx[key]
		if !ok {
			i = len(out)
			idx[key] = i
			out = append(out, group{p: v.p, hubURL: v.hubURL})
		}
		out[i].ids = append(out[i].ids, id)
	}
	return out
}

// heartbeat sends a comment on every stream so idle connections survive
// proxies and dead ones are noticed.
func (st *streams) heartbeat() {
	// Every 10 s: a tab that vanished without closing (phone asleep, network
	// gone) fails this write, which ends its stream and its presence.
	t := time.NewTicker(10 * time.Second)
	defer t.Stop()
	for {
		select {
		case <-st.done:
			return
		case <-t.C:
		}
		st.mu.Lock()
		var ids []string
		for _, m := range st.topics {
			for id := range m {
				ids = append(ids, id)
			}
		}
		st.mu.Unlock()
		for _, id := range ids {
			st.server.TryPublish(id, &sse.Event{Comment: []byte("ping")})
		}
		// Session states age (working becomes idle) without any event.
		if ids := st.following(topicLobby); len(ids) > 0 {
			st.publishLobby(ids)
		}
	}
}

// dropUser ends every open page stream of user, so a person whose rights
// were cut (disabled, fewer grants, lower role) reconnects and is checked
// again instead of watching on with what they had.
func (st *streams) dropUser(user string) {
	st.mu.Lock()
	var ids []string
	for id, v := range st.who {
		if v.p.User == user {
			ids = append(ids, id)
		}
	}
	st.mu.Unlock()
	for _, id := range ids {
		st.server.RemoveStream(id)
	}
}
