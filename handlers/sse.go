package handlers

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ct-dev/ct/auth"
	"github.com/r3labs/sse/v2"
)

// maxStreams bounds open SSE streams so a misbehaving client cannot make the
// hub allocate one per request forever.
const maxStreams = 10000

// pageStreams is the registry of open pages' SSE streams: which topic each
// follows, who looks at it, and their presence on a session while the stream
// lives. It sends what it is given and renders nothing (renderer does). One
// r3labs stream per page (not per session) because r3labs delivers to a
// stream's subscribers in turn and would let one slow phone stall every
// other viewer; per page, a slow one only fails its own TryPublish and is
// resynced.
type pageStreams struct {
	server   *sse.Server
	log      *slog.Logger
	presence presence
	hooks    pageHooks

	mu     sync.Mutex
	topics map[string]map[string]bool // topic -> stream ids of open pages
	who    map[string]*viewer         // stream id -> who is looking (lists are rendered per person)
	seq    uint64                     // event ids for list pages
	done   chan struct{}              // closed by close; stops the heartbeat
	once   sync.Once
}

// presence counts who looks at a session (hub.Hub.Present).
type presence interface {
	Present(sessionID, user, device string, delta int)
}

// pageHooks is told when a page's stream connects and ends, and on every
// heartbeat, so it can send the page its state (the renderer).
type pageHooks interface {
	opened(streamID, topic string)
	closed(streamID, topic string)
	beat()
}

// Topics a page can follow. A stream id is "<topic>:<page key>".
const (
	topicLobby     = "lobby"
	topicApprovals = "a"
)

func topicSession(id string) string { return "s:" + id }
func topicPrompt(id string) string  { return "p:" + id }

func newPageStreams(log *slog.Logger, p presence, hooks pageHooks) *pageStreams {
	ps := &pageStreams{log: log, presence: p, hooks: hooks, topics: map[string]map[string]bool{}, who: map[string]*viewer{}, done: make(chan struct{})}
	srv := sse.NewWithCallback(ps.subscribed, ps.unsubscribed)
	// Replay would resend stale screens from the library's log; the page
	// render and a full resync on subscribe are the backlog instead.
	srv.AutoReplay = false
	srv.SplitData = true // HTML has newlines; each must become its own data: line
	srv.AutoStream = true
	srv.BufferSize = 64
	srv.Headers = map[string]string{"X-Accel-Buffering": "no"}
	ps.server = srv
	return ps
}

// close ends every stream and stops the heartbeat.
func (ps *pageStreams) close() {
	ps.once.Do(func() { close(ps.done) })
	ps.server.Close()
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
func (ps *pageStreams) serve(w http.ResponseWriter, r *http.Request, topic string) {
	k := r.URL.Query().Get("v")
	if !validKey(k) {
		http.Error(w, "missing or bad ?v= stream key; reload the page", http.StatusBadRequest)
		return
	}
	if ps.count() >= maxStreams {
		http.Error(w, "too many open streams on this hub; close some tabs", http.StatusServiceUnavailable)
		return
	}
	streamID := topic + ":" + k
	ps.mu.Lock()
	v := ps.who[streamID]
	if v == nil {
		v = &viewer{}
		ps.who[streamID] = v
	}
	v.p, v.device, v.hubURL, v.conns = principal(r), deviceOf(r), hubURL(r), v.conns+1
	ps.mu.Unlock()
	// r3labs reads the stream name from ?stream=; chi's route carries it.
	r2 := r.Clone(r.Context())
	r2.URL.RawQuery = "stream=" + streamID
	ps.log.Debug("stream open", "stream", streamID)
	// Presence is the open connection itself: counted here, around the
	// stream's whole life, so a connection that drops always uncounts.
	sid, isSession := strings.CutPrefix(topic, "s:")
	if isSession {
		ps.presence.Present(sid, principal(r).User, deviceOf(r), +1)
	}
	ps.server.ServeHTTP(w, r2)
	if isSession {
		ps.presence.Present(sid, principal(r).User, deviceOf(r), -1)
	}
	ps.log.Debug("stream close", "stream", streamID)
	ps.mu.Lock()
	if v.conns--; v.conns == 0 {
		delete(ps.who, streamID)
	}
	ps.mu.Unlock()
}

// count is how many page streams are open.
func (ps *pageStreams) count() int {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	n := 0
	for _, m := range ps.topics {
		n += len(m)
	}
	return n
}

// topicOf splits a stream id into its topic.
func topicOf(streamID string) string {
	if i := strings.LastIndexByte(streamID, ':'); i > 0 {
		return streamID[:i]
	}
	return streamID
}

// subscribed runs (in its own goroutine) when a page's stream connects or
// reconnects; the hooks send it the full current state, so a page that lost
// its connection resumes without a reload.
func (ps *pageStreams) subscribed(streamID string, _ *sse.Subscriber) {
	topic := topicOf(streamID)
	ps.mu.Lock()
	if ps.topics[topic] == nil {
		ps.topics[topic] = map[string]bool{}
	}
	ps.topics[topic][streamID] = true
	ps.mu.Unlock()
	ps.hooks.opened(streamID, topic)
}

func (ps *pageStreams) unsubscribed(streamID string, _ *sse.Subscriber) {
	topic := topicOf(streamID)
	ps.mu.Lock()
	delete(ps.topics[topic], streamID)
	if len(ps.topics[topic]) == 0 {
		delete(ps.topics, topic)
	}
	ps.mu.Unlock()
	ps.hooks.closed(streamID, topic)
}

// following lists the stream ids of pages following topic.
func (ps *pageStreams) following(topic string) []string {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	out := make([]string, 0, len(ps.topics[topic]))
	for id := range ps.topics[topic] {
		out = append(out, id)
	}
	return out
}

// sessionTopics lists the topics of session pages that are open.
func (ps *pageStreams) sessionTopics() []string {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	var out []string
	for t := range ps.topics {
		if strings.HasPrefix(t, "s:") {
			out = append(out, t)
		}
	}
	return out
}

// nextID numbers events of list pages.
func (ps *pageStreams) nextID() []byte {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	ps.seq++
	return []byte(strconv.FormatUint(ps.seq, 10))
}

// publish sends one rendered event to each stream; empty data is never sent
// (r3labs would end the stream).
func (ps *pageStreams) publish(ids []string, event string, id []byte, data []byte) {
	if len(data) == 0 {
		return
	}
	for _, sid := range ids {
		ps.server.TryPublish(sid, &sse.Event{ID: id, Event: []byte(event), Data: data})
	}
}

// tryPublish sends ev to one stream and reports whether its buffer took it.
func (ps *pageStreams) tryPublish(streamID string, ev *sse.Event) bool {
	if len(ev.Data) == 0 && len(ev.Comment) == 0 {
		return true // nothing to send; r3labs would end the stream
	}
	return ps.server.TryPublish(streamID, ev)
}

// heartbeat sends a comment on every stream so idle connections survive
// proxies and dead ones are noticed.
func (ps *pageStreams) heartbeat(ctx context.Context) {
	// Every 10 s: a tab that vanished without closing (phone asleep, network
	// gone) fails this write, which ends its stream and its presence.
	t := time.NewTicker(10 * time.Second)
	defer t.Stop()
	for {
		select {
		case <-ps.done:
			return
		case <-ctx.Done():
			return
		case <-t.C:
		}
		ps.mu.Lock()
		var ids []string
		for _, m := range ps.topics {
			for id := range m {
				ids = append(ids, id)
			}
		}
		ps.mu.Unlock()
		for _, id := range ids {
			ps.server.TryPublish(id, &sse.Event{Comment: []byte("ping")})
		}
		ps.hooks.beat()
	}
}

// dropUser ends every open page stream of user, so a person whose rights
// were cut (disabled, fewer grants, lower role) reconnects and is checked
// again instead of watching on with what they had.
func (ps *pageStreams) dropUser(user string) {
	ps.mu.Lock()
	var ids []string
	for id, v := range ps.who {
		if v.p.User == user {
			ids = append(ids, id)
		}
	}
	ps.mu.Unlock()
	for _, id := range ids {
		ps.server.RemoveStream(id)
	}
}

// viewer is who looks at one page's stream.
type viewer struct {
	p      auth.Principal
	device string // phone | desktop
	hubURL string // the hub's address as this page reached it
	conns  int    // open connections of this stream id (a reconnect may overlap)
}

// viewerOf is who looks at a stream (nil: gone).
func (ps *pageStreams) viewerOf(streamID string) *viewer {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	return ps.who[streamID]
}

// group is the streams of people who see the same thing.
type group struct {
	p      auth.Principal
	hubURL string
	ids    []string
}

// byViewer groups streams by what their viewers may see, so each list is
// rendered once per distinct set of rights, not once per page.
func (ps *pageStreams) byViewer(ids []string) []group {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	idx := map[string]int{}
	var out []group
	for _, id := range ids {
		v := ps.who[id]
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
