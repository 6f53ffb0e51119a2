// Package hub owns the live state of ct serve: which workstations are
// connected, each live session's terminal screen, and the ordered path from a
// wrap's events to the durable store and back to the wrap as acks. It speaks
// the wire protocol over an abstract Transport and reports changes to a
// Listener; it never renders HTML or touches HTTP.
package hub

import (
	"context"
	"errors"
	"log/slog"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ct-dev/ct/db"
	"github.com/ct-dev/ct/policy"
	"github.com/ct-dev/ct/wire"
)

// Listener is told about changes the pages must show. Calls come from hub
// goroutines and must not block.
type Listener interface {
	// ScreenChanged delivers rows that changed on a watched session's screen.
	ScreenChanged(sessionID string, u ScreenUpdate)
	// LobbyChanged says machines or sessions changed (status, activity).
	LobbyChanged()
	// PromptsChanged says a permission prompt opened or was settled.
	PromptsChanged(sessionID, promptID string)
	// WheelChanged says who watches or drives a session changed.
	WheelChanged(sessionID string)
	// TranscriptAdded delivers a transcript entry once it is durable, in
	// order, so pages can append it live.
	TranscriptAdded(sessionID string, seq uint64, entry wire.TranscriptEntry)
}

// Errors the HTTP layer maps to statuses.
var (
	ErrNotFound = errors.New("no such session")
	ErrOffline  = errors.New("session is not connected: its ct wrap is offline or the program has ended")
	ErrBusy     = errors.New("the workstation is not keeping up with input; try again in a moment")
)

// Hub is the live state. Create with New, stop with Close.
type Hub struct {
	store  *db.Store
	log    *slog.Logger
	writer *writer

	mu        sync.Mutex
	listener  Listener
	sessions  map[string]*session // sessions loaded in memory (live or viewed)
	online    map[string]int      // node name -> connected wraps
	closed    bool
	active    sync.WaitGroup // running ServeWrap calls; Close waits for them
	lastLobby time.Time
	opts      Options
	ingest    *ingestLimits // byte quotas and the free-space floor (ingest.go)
	// emulating bounds how many sessions feed their emulators at once: one
	// per spare core, so a flood on one session leaves the others a core.
	emulating chan struct{}
	// behind counts sessions whose output waits for their emulator: how
	// many share the emulating slots, so each one's share of a round is
	// known (feed.go).
	behind  atomic.Int64
	emuRate emuMeter      // the emulator's measured speed: a round's size (emurate.go)
	nodes   nodeRegistry  // ct node control connections (node.go)
	fileOK  fileApprovals // reads of shared files waiting for their person (fileapprove.go)
	// The evictor (memlimits.go): closing evictStop ends it, evictDone
	// closes when it has.
	evictStop, evictDone chan struct{}
	// stopCtx ends when Close starts: rule answers in flight stop waiting.
	stopCtx context.Context
	stopAll context.CancelFunc
}

// Options are the hub's settings; the zero value means the defaults.
type Options struct {
	// WheelTimeout is how long a request for the wheel waits for an idle
	// holder before it is granted (0: DefaultWheelTimeout).
	WheelTimeout time.Duration
	// ScreenRules turn questions on the screens of programs without hooks
	// into prompts (nil: DefaultScreenRules()).
	ScreenRules []ScreenRule
	// Audit records what the hub decides on its own (nil: not recorded).
	Audit Auditor
	// MaxOpenPrompts bounds the open questions of one session; more are
	// denied to the wrap (0: DefaultMaxOpenPrompts, < 0: no cap).
	MaxOpenPrompts int
	// Ingest limits (ingest.go): byte quotas of one session's and one
	// machine's stored output (0: no quota), and the free space the store's
	// disk must keep (0: no floor); output past them is kept only as its
	// size. DataDir is where the store lives, for the free-space check.
	SessionQuota, MachineQuota, MinFreeDisk int64
	DataDir                                 string
	// MaxSessionsPerMachine bounds one machine's live sessions; the next
	// session.start is refused (0: DefaultMaxSessionsPerMachine, < 0: no cap).
	MaxSessionsPerMachine int
	// EvictAfter is how long a session with no wrap and no page keeps its
	// emulator in memory (0: DefaultEvictAfter, < 0: for ever).
	EvictAfter time.Duration
	// Policy returns the approval policy in force, read for every prompt
	// (nil, or a nil result: no rules, every prompt is asked).
	Policy func() *policy.Policy
	// ShareApproveWait is how long a read of a file shared with
	// --share-approve waits for its person's answer (0:
	// DefaultShareApproveWait).
	ShareApproveWait time.Duration
	// Now is the clock of escalations (nil: time.Now); tests move it.
	Now func() time.Time
	// Escalated is told when a prompt passes its rule's "after" unanswered,
	// with the group to notify ("": the usual people); nil: no one is told.
	// It is called from Escalate's caller (ct serve's sweep), not a read
	// loop, so it may do store I/O.
	Escalated func(p db.Prompt, group string)
}

func (o Options) withDefaults() Options {
	if o.Audit == nil {
		o.Audit = nopAuditor{}
	}
	if o.WheelTimeout <= 0 {
		o.WheelTimeout = DefaultWheelTimeout
	}
	if o.ScreenRules == nil {
		o.ScreenRules = DefaultScreenRules()
	}
	o.MaxOpenPrompts = CapOr(o.MaxOpenPrompts, DefaultMaxOpenPrompts)
	o.MaxSessionsPerMachine = CapOr(o.MaxSessionsPerMachine, DefaultMaxSessionsPerMachine)
	if o.EvictAfter == 0 {
		o.EvictAfter = DefaultEvictAfter
	}
	if o.ShareApproveWait <= 0 {
		o.ShareApproveWait = DefaultShareApproveWait
	}
	return o
}

// New starts a hub on store. Sessions left "live" by a previous run become
// "offline" until their wrap reconnects. A store that cannot be written (a
// full disk) does not stop the hub: it starts, says so in its log and on
// /healthz, and stores events once space returns.
func New(store *db.Store, log *slog.Logger, opts Options) (*Hub, error) {
	return newHub(store, store, log, opts)
}

// newHub is New with the writer's store call given apart (tests make it fail).
func newHub(store *db.Store, app appender, log *slog.Logger, opts Options) (*Hub, error) {
	h := &Hub{
		store:     store,
		log:       log,
		sessions:  make(map[string]*session),
		online:    make(map[string]int),
		listener:  NopListener{},
		opts:      opts.withDefaults(),
		emulating: make(chan struct{}, max(1, runtime.GOMAXPROCS(0)-1)),
		evictStop: make(chan struct{}),
	}
	h.stopCtx, h.stopAll = context.WithCancel(context.Background())
	h.ingest = newIngestLimits(store, h.opts)
	h.writer = newWriter(app, log, h.afterCommit, h.storeFailed, h.storeStatus)
	err := store.MarkAllOffline()
	if err == nil {
		// Hooks waiting on the old process are gone; Claude Code's dialogs decide.
		_, err = store.ClosePending(db.PromptFilter{}, "hub-restart", "the hub restarted; answered at the terminal")
	}
	if err != nil {
		h.writer.health.failed(err)
		log.Error("the store cannot be written: ct serve starts, but stores nothing until the disk has space (free space where --data lives)",
			"path", store.Path(), "error", err)
	}
	h.startEvictor()
	return h, nil
}

// SetListener installs the page notifier (handlers call it once at start).
func (h *Hub) SetListener(l Listener) {
	h.mu.Lock()
	h.listener = l
	h.mu.Unlock()
}

func (h *Hub) notify() Listener {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.listener
}

// Close stops accepting work, flushes every received event to the store and
// stops session workers. Call it after the transports are closed.
func (h *Hub) Close(ctx context.Context) error {
	h.mu.Lock()
	if !h.closed {
		close(h.evictStop)
		h.stopAll()
	}
	h.closed = true
	ss := make([]*session, 0, len(h.sessions))
	for _, s := range h.sessions {
		ss = append(ss, s)
	}
	h.mu.Unlock()
	// Wrap read loops feed the writer; they must be gone before it closes.
	idle := make(chan struct{})
	go func() { h.active.Wait(); close(idle) }()
	select {
	case <-idle:
	case <-ctx.Done():
		return errors.New("wrap connections still open at shutdown; close transports before the hub")
	}
	<-h.evictDone
	err := h.writer.close(ctx)
	for _, s := range ss {
		s.stop()
	}
	return err
}

// Store exposes the durable record for read-only views.
func (h *Hub) Store() *db.Store { return h.store }

// NodeOnline reports whether a wrap of node name is connected.
func (h *Hub) NodeOnline(name string) bool {
	h.mu.Lock()
	wraps := h.online[name] > 0
	h.mu.Unlock()
	return wraps || h.NodeConnected(name) // a ct node with no sessions is online too
}

// Counts reports live numbers for metrics and the lobby.
func (h *Hub) Counts() (nodesOnline, sessionsLoaded int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, n := range h.online {
		if n > 0 {
			nodesOnline++
		}
	}
	return nodesOnline, len(h.sessions)
}

// load returns the in-memory session for id, creating it from the store.
func (h *Hub) load(id string) (*session, error) {
	h.mu.Lock()
	if s, ok := h.sessions[id]; ok {
		s.used = time.Now() // not evicted under its caller (memlimits.go)
		h.mu.Unlock()
		return s, nil
	}
	h.mu.Unlock()
	meta, err := h.store.GetSession(id)
	if errors.Is(err, db.ErrNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	s := newSession(h, meta)
	h.mu.Lock()
	defer h.mu.Unlock()
	if cur, ok := h.sessions[id]; ok {
		s.stop()
		cur.used = time.Now()
		return cur, nil // another caller won the race
	}
	s.used = time.Now()
	h.sessions[id] = s
	return s, nil
}

// replayTail is how much stored output rebuilds a screen after a restart:
// enough for any full screen, small enough to replay in well under a second.
const replayTail = 512 << 10

// Screen returns the current screen of a session for a page render.
func (h *Hub) Screen(id string) (Snapshot, error) {
	s, err := h.load(id)
	if err != nil {
		return Snapshot{}, err
	}
	meta, err := h.store.GetSession(id)
	if err != nil {
		return Snapshot{}, err
	}
	snap := s.snapshot()
	snap.Session = meta
	return snap, nil
}

// storeFailed drops a session's wrap connection because the store can
// never take one of its events as sent. The received mark goes back to what
// is durable, and the failing connection is refused anything more (it may
// still be reading) so that nothing it sends after the rewind counts as
// received: the wrap's resend on its next connection starts at the durable
// mark and is neither dropped as a duplicate nor skipped as a gap.
func (h *Hub) storeFailed(sessionID string) {
	h.mu.Lock()
	s := h.sessions[sessionID]
	h.mu.Unlock()
	if s == nil {
		return
	}
	meta, err := h.store.GetSession(sessionID)
	if err != nil {
		h.log.Error("store failure: read the durable mark", "session", sessionID, "error", err)
	}
	s.mu.Lock()
	c := s.conn
	s.refuse = true // until a new connection attaches
	if err == nil {
		s.recv = meta.LastSeq
	}
	s.mu.Unlock()
	if c != nil {
		c.fail("hub could not store events; reconnecting")
	}
}

// storeStatus tells every connected wrap that the store started failing
// (err) or works again (nil): nothing more is acked until it works, and the
// wraps keep their spools.
func (h *Hub) storeStatus(err error) {
	msg := wire.StoreFailing{}
	if err != nil {
		msg = wire.StoreFailing{Failing: true, Message: "the hub cannot write its store (" + err.Error() + "); output stays spooled here until it can"}
	}
	h.mu.Lock()
	conns := make([]*wrapConn, 0, len(h.sessions))
	for _, s := range h.sessions {
		s.mu.Lock()
		if s.conn != nil {
			conns = append(conns, s.conn)
		}
		s.mu.Unlock()
	}
	h.mu.Unlock()
	for _, c := range conns {
		e, _ := wire.New(wire.TypeStoreFailing, msg)
		e.SessionID = c.session
		_ = c.send(e) // best effort: a wrap whose queue is full learns it from the missing acks
	}
	h.notify().LobbyChanged()
}

// StoreHealth reports whether the store can be written now (for /healthz
// and metrics).
func (h *Hub) StoreHealth() StoreHealth { return h.writer.health.get() }

// Watch records that a page started (+1) or stopped (-1) watching id's
// screen. A new watcher gets the whole screen on its stream.
func (h *Hub) Watch(id string, delta int) {
	s, err := h.load(id)
	if err != nil {
		return
	}
	s.watch(delta)
}

// ScreenText returns the screen as plain text.
func (h *Hub) ScreenText(id string) (string, error) {
	s, err := h.load(id)
	if err != nil {
		return "", err
	}
	return s.text(), nil
}

// lobbyEvery bounds how often output activity alone refreshes the lobby.
const lobbyEvery = time.Second
