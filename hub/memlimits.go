package hub

import (
	"fmt"
	"time"
)

// The hub's memory is mostly sessions' emulators. Two limits keep one
// account from holding gigabytes: a machine may have only so many live
// sessions at once, and a session nobody drives or watches gives its
// emulator back after a while (it is rebuilt from the log's tail, as after
// a restart, when a page opens it again).

// DefaultMaxSessionsPerMachine bounds the live sessions of one machine
// (ct serve --max-sessions-per-machine): far more than a person runs, few
// enough that one machine token cannot fill the hub's memory.
const DefaultMaxSessionsPerMachine = 32

// DefaultEvictAfter is how long a session with no wrap connected and no
// page watching keeps its emulator in memory (ct serve --evict-after).
const DefaultEvictAfter = 10 * time.Minute

// reserveLive takes one of machine node's live-session slots for session
// sid, under the hub's lock so that many starts at once cannot race past
// the cap. A session whose wrap is already connected (a reconnect that
// replaces its old connection) takes a slot without the check: it frees
// its old one on disconnect.
func (h *Hub) reserveLive(node, sid string) (*liveSlot, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if limit := h.opts.MaxSessionsPerMachine; limit > 0 && h.online[node] >= limit && !h.connectedLocked(sid) {
		// Short: the wrap prints it on one line of at most 100 characters.
		return nil, fmt.Errorf("this machine already runs %d sessions (hub cap --max-sessions-per-machine)", limit)
	}
	h.online[node]++
	return &liveSlot{h: h, node: node}, nil
}

// liveSlot is a reserved slot: released on an error before the connection
// attaches, kept (and given back by disconnect) once it has.
type liveSlot struct {
	h    *Hub
	node string
	kept bool
}

func (l *liveSlot) keep() { l.kept = true }

func (l *liveSlot) release() {
	if l.kept {
		return
	}
	l.h.mu.Lock()
	l.h.releaseLiveLocked(l.node)
	l.h.mu.Unlock()
}

// releaseLiveLocked gives back a slot reserveLive took (h.mu held).
func (h *Hub) releaseLiveLocked(node string) {
	h.online[node]--
	if h.online[node] <= 0 {
		delete(h.online, node)
	}
}

// connectedLocked is connected with h.mu held.
func (h *Hub) connectedLocked(id string) bool {
	s := h.sessions[id]
	if s == nil {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.conn != nil
}

// startEvictor runs evictIdle until Close, checking a few times per
// EvictAfter (at most every minute) so an idle session goes within about
// one period of its deadline.
func (h *Hub) startEvictor() {
	after := h.opts.EvictAfter
	h.evictDone = make(chan struct{})
	if after <= 0 {
		close(h.evictDone)
		return
	}
	every := min(max(after/4, time.Second), time.Minute)
	go func() {
		defer close(h.evictDone)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-h.evictStop:
				return
			case now := <-t.C:
				h.evictIdle(now, after)
			}
		}
	}()
}

// evictIdle drops from memory every session idle since before now-after:
// no wrap connected, no page watching or present, and not loaded, detached
// or unwatched since. The deadline is checked under h.mu, which load also
// takes to mark a session used, so a session just handed out by load is
// never evicted under its caller. It returns how many it dropped.
func (h *Hub) evictIdle(now time.Time, after time.Duration) int {
	h.mu.Lock()
	var gone []*session
	for id, s := range h.sessions {
		if now.Sub(s.used) < after || !s.idle() {
			continue
		}
		delete(h.sessions, id)
		gone = append(gone, s)
	}
	h.mu.Unlock()
	for _, s := range gone {
		s.stop() // its worker closes the emulator
	}
	if len(gone) > 0 {
		h.log.Debug("idle sessions evicted from memory", "sessions", len(gone))
	}
	return len(gone)
}

// idle reports whether nothing holds s in memory: no connection, no
// watcher, no page present on it.
func (s *session) idle() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.conn != nil || s.watchers > 0 {
		return false
	}
	return s.wheel == nil || len(s.wheel.viewers) == 0
}
