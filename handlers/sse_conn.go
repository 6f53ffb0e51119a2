package handlers

import (
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ct-dev/ct/auth"
	"github.com/r3labs/sse/v2"
)

// One page connection's life: it takes a stream slot (liveConns), replaces
// an older connection of the same page key, is served by r3labs on its own
// stream, and cleans up exactly once when it ends, however it ends (the
// client left, a reconnect replaced it, its credential was revoked, its
// person's rights were cut, the hub is stopping).

// pageConn is one page connection. Its stream id is "<topic>:<key>#<n>".
type pageConn struct {
	id, key  string
	v        *viewer
	kill     func()        // ends the connection, even one stuck writing; never blocks
	done     chan struct{} // closed when its handler has cleaned up
	needFull bool          // (ps.mu) it needs the whole screen: new, or it missed rows

	hookMu sync.Mutex // orders the hooks: opened at most once, closed once and only after opened
	opened bool
	ended  bool
}

// replaceWait bounds how long a reconnect waits for the connection it
// replaces to clean up: a killed connection ends at once (its writes fail),
// so this only matters if something is wrong, and then the new page is
// served anyway.
const replaceWait = 5 * time.Second

// viewer is who looks at one page's stream.
type viewer struct {
	p      auth.Principal
	device string // phone | desktop
	hubURL string // the hub's address as this page reached it
}

// serve runs one page's stream following topic until it ends.
func (ps *pageStreams) serve(w http.ResponseWriter, r *http.Request, topic string) {
	k := r.URL.Query().Get("v")
	if !validKey(k) {
		http.Error(w, "missing or bad ?v= stream key; reload the page", http.StatusBadRequest)
		return
	}
	p := principal(r)
	key := topic + ":" + k
	ps.replace(key, p.User)
	ctx, kill, release, err := ps.live.hold(w, r)
	if err != nil {
		refuseStream(w, err)
		return
	}
	defer release()
	c := &pageConn{key: key, v: &viewer{p: p, device: deviceOf(r), hubURL: hubURL(r)}, kill: kill, needFull: true, done: make(chan struct{})}
	if !ps.add(c) {
		http.Error(w, "the hub is shutting down; the page reconnects by itself", http.StatusServiceUnavailable)
		return
	}
	defer close(c.done)
	defer ps.ended(c)
	// Presence is the open connection itself: counted around the stream's
	// whole life, so a connection that ends always uncounts.
	sid, isSession := strings.CutPrefix(topic, "s:")
	if isSession {
		ps.presence.Present(sid, p.User, c.v.device, +1)
		defer ps.presence.Present(sid, p.User, c.v.device, -1)
	}
	// r3labs reads the stream name from ?stream=; chi's route carries it.
	r2 := r.Clone(ctx)
	r2.URL.RawQuery = "stream=" + c.id
	ps.log.Debug("stream open", "stream", c.id)
	ps.server.ServeHTTP(w, r2)
	ps.log.Debug("stream close", "stream", c.id)
}

// replace ends the connection a page had under key before it reconnected
// (a phone that switched networks leaves one stuck) and waits for its
// cleanup, so the new one is served at once and never shares its slot.
// Another person's connection is never ended by a guessed key.
func (ps *pageStreams) replace(key, user string) {
	ps.mu.Lock()
	old := ps.byKey[key]
	ps.mu.Unlock()
	if old == nil || old.v.p.User != user {
		return
	}
	old.kill()
	select {
	case <-old.done:
	case <-time.After(replaceWait):
		ps.log.Warn("replaced stream did not end", "stream", old.id)
	}
}

// add registers c under a new stream id; false once close ran.
func (ps *pageStreams) add(c *pageConn) bool {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	if ps.closed {
		return false
	}
	ps.nconn++
	c.id = c.key + "#" + strconv.FormatUint(ps.nconn, 36)
	ps.conns[c.id] = c
	ps.byKey[c.key] = c
	return true
}

// subscribed runs (in its own goroutine) once r3labs has registered the
// connection's subscriber: from then on events reach it, so the page is
// listed under its topic and the hooks send it its full current state.
func (ps *pageStreams) subscribed(streamID string, _ *sse.Subscriber) {
	ps.mu.Lock()
	c := ps.conns[streamID]
	ps.mu.Unlock()
	if c == nil {
		return // ended already
	}
	c.hookMu.Lock()
	defer c.hookMu.Unlock()
	if c.ended || c.opened {
		return
	}
	topic := topicOf(streamID)
	ps.mu.Lock()
	if ps.topics[topic] == nil {
		ps.topics[topic] = map[string]bool{}
	}
	ps.topics[topic][streamID] = true
	ps.mu.Unlock()
	c.opened = true
	ps.hooks.opened(streamID, topic)
}

// ended is the one cleanup of a connection: off the registry and its topic,
// and the hooks told (the renderer stops counting it as a watcher).
func (ps *pageStreams) ended(c *pageConn) {
	topic := topicOf(c.id)
	ps.mu.Lock()
	delete(ps.conns, c.id)
	if ps.byKey[c.key] == c {
		delete(ps.byKey, c.key)
	}
	delete(ps.topics[topic], c.id)
	if len(ps.topics[topic]) == 0 {
		delete(ps.topics, topic)
	}
	ps.mu.Unlock()
	c.hookMu.Lock()
	defer c.hookMu.Unlock()
	c.ended = true
	if c.opened {
		ps.hooks.closed(c.id, topic)
	}
}

// needsFull reports whether a page must be sent the whole screen.
func (ps *pageStreams) needsFull(streamID string) bool {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	c := ps.conns[streamID]
	return c != nil && c.needFull
}

// setNeedsFull marks (or clears) a page that must be sent the whole screen.
func (ps *pageStreams) setNeedsFull(streamID string, v bool) {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	if c := ps.conns[streamID]; c != nil {
		c.needFull = v
	}
}

// viewerOf is who looks at a stream (nil: gone).
func (ps *pageStreams) viewerOf(streamID string) *viewer {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	if c := ps.conns[streamID]; c != nil {
		return c.v
	}
	return nil
}
