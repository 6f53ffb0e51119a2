package handlers

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ct-dev/ct/auth"
	"github.com/r3labs/sse/v2"
)

// pageStreams is the registry of open pages' SSE streams: which topic each
// follows, who looks at it, and their presence on a session while the stream
// lives. It sends what it is given and renders nothing (renderer does). One
// r3labs stream per connection (not per session, not even per page key)
// because r3labs delivers to a stream's subscribers in turn: one slow phone
// would stall every other viewer, and a stuck connection would stall the
// page's own reconnect. Per connection, a slow one only fails its own
// TryPublish and is resynced (sse_conn.go).
type pageStreams struct {
	server   *sse.Server
	log      *slog.Logger
	presence presence
	hooks    pageHooks
	live     *liveConns // the stream caps and close-by-credential

	mu     sync.Mutex
	topics map[string]map[string]bool // topic -> stream ids of open pages
	conns  map[string]*pageConn       // stream id -> the connection
	byKey  map[string]*pageConn       // "<topic>:<page key>" -> its newest connection
	seq    uint64                     // event ids for list pages
	nconn  uint64                     // numbers connections (their stream ids)
	closed bool                       // close ran: no new stream
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

// topicShare is a share link's read-only page of session id: screen and
// transcript only (share.go).
func topicShare(id string) string { return "v:" + id }

func newPageStreams(log *slog.Logger, p presence, hooks pageHooks, live *liveConns) *pageStreams {
	ps := &pageStreams{log: log, presence: p, hooks: hooks, live: live, topics: map[string]map[string]bool{}, conns: map[string]*pageConn{}, byKey: map[string]*pageConn{}, done: make(chan struct{})}
	// Only OnSubscribe: cleanup runs once in serve when the connection
	// ends, however it ends (r3labs skips OnUnsubscribe when a stream is
	// removed).
	srv := sse.NewWithCallback(ps.subscribed, nil)
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

// close ends every stream and stops the heartbeat. Connections are killed
// (not r3labs' Server.Close, which skips their cleanup), so each runs its
// own.
func (ps *pageStreams) close() {
	ps.once.Do(func() { close(ps.done) })
	ps.mu.Lock()
	ps.closed = true
	cs := make([]*pageConn, 0, len(ps.conns))
	for _, c := range ps.conns {
		cs = append(cs, c)
	}
	ps.mu.Unlock()
	for _, c := range cs {
		c.kill()
	}
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

// topicOf splits a stream id into its topic.
func topicOf(streamID string) string {
	if i := strings.LastIndexByte(streamID, ':'); i > 0 {
		return streamID[:i]
	}
	return streamID
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

// topicsWith lists the open topics that start with prefix ("s:" session
// pages, "v:" share pages).
func (ps *pageStreams) topicsWith(prefix string) []string {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	var out []string
	for t := range ps.topics {
		if strings.HasPrefix(t, prefix) {
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
		ids := make([]string, 0, len(ps.conns))
		for id := range ps.conns {
			ids = append(ids, id)
		}
		ps.mu.Unlock()
		for _, id := range ids {
			ps.server.TryPublish(id, &sse.Event{Comment: []byte("ping")})
		}
		ps.hooks.beat()
	}
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
		c := ps.conns[id]
		if c == nil {
			continue // gone already
		}
		v := c.v
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
