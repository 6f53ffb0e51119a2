package hub

import (
	"sync"
	"time"

	"github.com/ct-dev/ct/db"
	"github.com/ct-dev/ct/screen"
	"github.com/ct-dev/ct/screenrule"
	"github.com/ct-dev/ct/wire"
)

// The largest screen the hub emulates: an emulator's memory grows with
// cols x rows (and its history with cols), so a wrap declaring 1000x500
// screens must not make the hub hold gigabytes. Larger sizes are clamped;
// the log keeps every byte, so nothing is lost but the screen's width.
const (
	MaxCols = 500
	MaxRows = 200
)

// clampSize bounds a declared screen size to MaxCols x MaxRows.
func clampSize(cols, rows int) (int, int) {
	return min(cols, MaxCols), min(rows, MaxRows)
}

// ScreenUpdate is what changed on a screen since the last update sent.
type ScreenUpdate struct {
	Full      bool               // Rows holds every row; replace the screen
	Rows      map[int]screen.Row // row index -> the row's new look
	NumRows   int
	History   []screen.Row // lines newly scrolled off, oldest first
	HistTotal int
	Skipped   int64 // bytes the screen skipped so far (the log has them)
	SkipGrew  bool  // Skipped grew since the last update: pages show the new count
	Version   uint64
	// All is every row as of this update: what a page that joined or fell
	// behind gets on its own, instead of every viewer being sent the
	// whole screen.
	All []screen.Row
	Alt bool // the alternate screen is on (screen.Screen.Alt)
}

// Snapshot is a whole screen for a page render.
type Snapshot struct {
	Session   db.Session
	Rows      []screen.Row
	History   []screen.Row
	HistTotal int
	Cols      int
	Skipped   int64
	Version   uint64
	Alt       bool // the alternate screen is on (screen.Screen.Alt)
}

type screenOp struct {
	data       []byte
	cols, rows int // a resize when cols > 0
	// skipLines and skipBytes: output cut from the front of data before it
	// was fed (trimPending); the screen marks them where they were.
	skipLines int
	skipBytes int64
}

// session is one session held in memory: its screen and who watches it.
type session struct {
	h  *Hub
	id string

	mu        sync.Mutex // guards the fields below; never held while feeding the emulator
	meta      db.Session
	pending   []screenOp
	backlog   int
	watchers  int
	full      bool // next publish sends every row, no history (the first watcher joined: what was sent is stale)
	resync    bool // next publish goes out even if nothing changed (a page needs All)
	conn      *wrapConn
	recv      uint64                          // highest seq received (stored or queued for the store)
	refuse    bool                            // a store failure: take nothing until a new connection attaches
	typed     int                             // inputs sent since the last publish: frames owed to their echoes (frameBucket)
	promptIDs map[string]string               // wrap prompt id -> hub prompt id
	attachAt  map[string]chan wire.AttachDone // attachments on their way to the wrap (attach.go)
	question  *screenQuestion                 // open screen-rule question, if any
	hooks     bool                            // the program reports questions through hooks (no screen rules)
	wheel     *wheel                          // who watches and drives; nil until first used

	agentWaiting   bool  // the agent's hooks say it finished its turn
	tailBytes      int64 // ct flush is delivering this much output of a program that already ended
	agentWaitingAt time.Time
	quietWaiting   bool // waits for input with nobody to tell: before its first prompt, after a refusal at the terminal (State only, no push)
	turnEnded      bool // the last thing heard on this connection was Stop (state.go)

	scrMu    sync.Mutex // guards scr and what was last published; held while feeding
	scr      *screen.Screen
	sent     []screen.Row // rows as last published, to find the ones that changed
	sentHist int
	skipped  int64
	sentSkip int64 // skipped as last published (ScreenUpdate.SkipGrew)
	version  uint64
	bucket   frameBucket // the publish throttle
	// Worker-owned (feed and run only): when the last feed ran and whether
	// it found a flood, for pacing the next (feedpace.go).
	fedAt    time.Time
	flooding bool

	used time.Time // guarded by h.mu: last loaded or detached (the evictor's clock, memlimits.go)

	wake chan struct{} // cap 1: a pending op or watcher change
	done chan struct{}
	once sync.Once
}

func newSession(h *Hub, meta db.Session) *session {
	s := &session{
		h: h, id: meta.ID, meta: meta, recv: meta.LastSeq, promptIDs: map[string]string{},
		hooks:  meta.Hooks, // as the wrap declared it (db fills it in for older wraps)
		scr:    screen.New(clampSize(meta.Cols, meta.Rows)),
		wake:   make(chan struct{}, 1),
		done:   make(chan struct{}),
		bucket: frameBucket{tokens: frameBurst},
	}
	s.replay()
	go s.run()
	return s
}

// replay rebuilds the screen from the tail of the stored log.
func (s *session) replay() {
	start, err := s.h.store.TailStart(s.id, replayTail)
	if err != nil {
		s.h.log.Warn("screen replay", "session", s.id, "error", err)
		return
	}
	err = s.h.store.ReadLog(s.id, start, func(e wire.Envelope) error {
		s.apply(e)
		return nil
	})
	if err != nil {
		s.h.log.Warn("screen replay", "session", s.id, "error", err)
	}
	// Feed now, before the session is handed out (its worker has not started):
	// the first page or API read after a restart must see the rebuilt screen,
	// not a blank one.
	if s.feed() {
		s.rules()
	}
	s.scrMu.Lock()
	s.sentHist = 0
	s.scrMu.Unlock()
}

// apply feeds one stored or received event to the screen queue.
func (s *session) apply(e wire.Envelope) {
	switch e.Type {
	case wire.TypePtyOutput:
		s.enqueue(screenOp{data: e.Data})
	case wire.TypePtyResize:
		var r wire.Resize
		if e.Decode(&r) == nil {
			s.enqueue(screenOp{cols: r.Cols, rows: r.Rows})
		}
	}
}

func (s *session) enqueue(op screenOp) {
	s.mu.Lock()
	select {
	case <-s.done:
		// Its worker is gone (or going: dropPending empties the queue after
		// it): nobody would feed this, and counting it behind would shrink
		// every other session's share for ever.
		s.mu.Unlock()
		return
	default:
	}
	if len(s.pending) == 0 {
		s.h.behind.Add(1) // now waiting for the emulator (feed.go)
	}
	if n := len(s.pending); op.cols == 0 && n > 0 && s.pending[n-1].cols == 0 {
		s.pending[n-1].data = append(s.pending[n-1].data, op.data...)
	} else {
		if op.data != nil {
			op.data = append([]byte(nil), op.data...) // e.Data aliases a transport buffer
		}
		s.pending = append(s.pending, op)
	}
	s.backlog += len(op.data)
	s.trimPending(maxBacklog, keepTail)
	s.mu.Unlock()
	s.poke()
}

func (s *session) poke() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

func (s *session) stop() {
	s.once.Do(func() { close(s.done) })
}

// run is the session's screen worker: it feeds the emulator and publishes
// throttled updates. One goroutine per session in memory, so a busy session
// never delays another's screen.
func (s *session) run() {
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	defer s.scr.Close()
	defer s.dropPending()
	deferred := false // output waited for a frame: a flood (feedpace.go)
	for {
		select {
		case <-s.done:
			return
		case <-s.wake:
		case <-timer.C:
		}
		if wait := s.feedWait(time.Now()); wait > 0 {
			timer.Reset(wait) // a flood between frames: feed when the next frame may go out
			deferred = true
			continue
		}
		if deferred {
			s.cutFlood()
			deferred = false
		}
		fed := s.feed()
		if wait := s.publish(); wait > 0 {
			timer.Reset(wait)
		}
		if fed {
			// After the frame, not before it: reading every line and
			// matching the rules costs more than the frame itself, and a
			// keystroke's echo must not wait for it (issue 17).
			s.rules()
		}
	}
}

// rules checks the screen rules against the screen as it is now (a program
// with hooks has none: its lines are not even read).
func (s *session) rules() {
	if s.hooks {
		return
	}
	s.scrMu.Lock()
	rows, cursorY := s.scr.Lines()
	s.scrMu.Unlock()
	s.checkRules(screenrule.View{Rows: rows, CursorY: cursorY}) // takes s.mu and the store: never under scrMu
}

// publish sends changed rows to watchers, throttled by the session's
// frameBucket (leading edge: the first change after a quiet spell goes out
// at once). It returns how long to wait before a deferred publish, or 0.
func (s *session) publish() time.Duration {
	s.mu.Lock()
	watchers, full, resync, typed := s.watchers, s.full, s.resync, s.typed
	s.typed = 0
	s.mu.Unlock()
	if watchers <= 0 {
		return 0
	}
	s.scrMu.Lock()
	now := time.Now()
	s.bucket.add(now, typed)
	if wait := s.bucket.wait(); wait > 0 && !full {
		s.scrMu.Unlock()
		return wait // a burst: coalesced into the next frame
	}
	rows := s.scr.Rows()
	u := ScreenUpdate{NumRows: len(rows), Skipped: s.skipped, Version: s.version, Rows: map[int]screen.Row{}, All: rows, Alt: s.scr.Alt()}
	if full || len(rows) != len(s.sent) {
		u.Full = true
	}
	for i, r := range rows {
		if u.Full || !r.Equal(s.sent[i]) {
			u.Rows[i] = r
		}
	}
	u.History, u.HistTotal = s.scr.History(s.sentHist)
	if missed := s.scr.Missed(s.sentHist); missed > 0 {
		// More scrolled off between two frames than history keeps: the
		// page marks the lines it never got.
		u.History = append([]screen.Row{{Skipped: missed}}, u.History...)
	}
	if full {
		u.History = nil // a fresh watcher's page already rendered history
	}
	changed := u.Full || len(u.Rows) > 0 || len(u.History) > 0
	s.sent, s.sentHist = rows, u.HistTotal
	u.SkipGrew, s.sentSkip = s.skipped != s.sentSkip, s.skipped
	if changed {
		s.bucket.take()
	}
	s.scrMu.Unlock()
	if full || resync {
		s.mu.Lock()
		s.full, s.resync = false, false
		s.mu.Unlock()
	}
	if changed || resync {
		s.h.notify().ScreenChanged(s.id, u)
	}
	return 0
}

// watch counts watchers; a new one (delta +1) or one that fell behind (0)
// gets the whole screen on its own stream from the next update's All, so
// the next update goes out even if nothing changed. The other watchers only
// get what changed.
func (s *session) watch(delta int) {
	s.mu.Lock()
	if s.watchers <= 0 && delta > 0 {
		s.full = true // nothing was published while nobody watched
	}
	s.watchers += delta
	if delta >= 0 {
		s.resync = true
	}
	s.mu.Unlock()
	s.poke()
}

func (s *session) snapshot() Snapshot {
	s.mu.Lock()
	meta := s.meta
	s.mu.Unlock()
	s.scrMu.Lock()
	defer s.scrMu.Unlock()
	cols, _ := s.scr.Size()
	hist, total := s.scr.History(0)
	if missed := s.scr.Missed(0); missed > 0 {
		hist = append([]screen.Row{{Skipped: missed}}, hist...) // older than history keeps
	}
	return Snapshot{Session: meta, Rows: s.scr.Rows(), History: hist, HistTotal: total, Cols: cols, Skipped: s.skipped, Version: s.version, Alt: s.scr.Alt()}
}

func (s *session) text() string {
	s.scrMu.Lock()
	defer s.scrMu.Unlock()
	return s.scr.Text()
}

// Watchers is how many pages watch a session's screen (0 when it is not in
// memory).
func (h *Hub) Watchers(id string) int {
	s := h.peek(id)
	if s == nil {
		return 0
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.watchers
}
