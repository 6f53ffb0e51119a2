package hub

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ct-dev/ct/db"
	"github.com/ct-dev/ct/wire"
)

// Transport is one wrap's connection, as the HTTP layer provides it.
// Read is called from one goroutine; Write from one other goroutine.
type Transport interface {
	// Read returns the next envelope. Its Data may alias a buffer the next
	// Read reuses: copy what is kept past it.
	Read(ctx context.Context) (wire.Envelope, error)
	Write(ctx context.Context, e wire.Envelope) error
}

// wrapConn is one connected wrap, driving one session.
type wrapConn struct {
	h       *Hub
	node    string
	session string
	ack     atomic.Uint64 // highest durable seq to tell the wrap
	ackWake chan struct{} // cap 1
	out     chan wire.Envelope
	// queued counts envelopes given to out and not yet written, and the
	// greeting until it is out: input is written straight from its
	// request only when nothing queued must go before it (wrapsend.go).
	queued  atomic.Int64
	wmu     sync.Mutex      // held across each write to t, so queued is exact
	t       Transport       // the connection
	ctx     context.Context // the connection's; done when it ends
	cancel  context.CancelCauseFunc
	once    sync.Once
	waits   promptWaits
	git     gitWaits // git.request calls waiting for their answers
	tokenID string
	refused atomic.Bool // the wrap was told its output is past a limit
	files   fileWaits   // shared-file requests waiting for this wrap's answers
	// commands are the agent's slash commands from session.start, cleaned
	// (set once before the connection is attached, read-only after).
	commands []wire.SlashCommand
}

// inputQueue bounds input waiting for a slow wrap; beyond it input is refused
// rather than buffered without limit.
const inputQueue = 64

// maxEventHeader bounds the variable header fields of a sequenced event (the
// largest real one, session.end, has under 200 bytes), so that the event
// still encodes within wire.MaxHeader after the hub adds the session id.
const maxEventHeader = 8 << 10

// WrapAuth is what the connection's credentials allow.
type WrapAuth struct {
	TokenID string // closes the connection when revoked
	Machine string // the only machine name it may publish as ("" = any)
	User    string // who made the token: the owner of the sessions' agent credentials ("": none)
}

// ServeWrap runs the hub's side of one wrap connection until it ends.
func (h *Hub) ServeWrap(ctx context.Context, t Transport, a WrapAuth) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		return errors.New("hub is shutting down")
	}
	h.active.Add(1)
	h.mu.Unlock()
	defer h.active.Done()
	hello, start, sid, err := handshake(ctx, t)
	if err != nil {
		return err
	}
	if why := checkStart(a, hello, start); why != "" {
		return refuse(ctx, t, why)
	}
	resume := resumeHash(start.Resume)
	existing, err := h.store.GetSession(sid)
	fresh := errors.Is(err, db.ErrNotFound)
	if err == nil {
		if existing.Node != hello.Node {
			return fmt.Errorf("session %s belongs to machine %q", sid, existing.Node)
		}
		if existing.ResumeHash != "" && subtle.ConstantTimeCompare([]byte(existing.ResumeHash), []byte(resume)) != 1 {
			return refuse(ctx, t, fmt.Sprintf("session %s is held by another ct wrap (its reconnect secret does not match); start a new session", sid))
		}
	}
	slot, err := h.reserveLive(hello.Node, sid)
	if err != nil {
		return refuse(ctx, t, err.Error()) // the wrap runs its program without the hub, and retries
	}
	defer slot.release() // until kept: an error below gives the slot back
	if err := h.store.PutNode(db.Node{Name: hello.Node, Hostname: hello.Hostname, User: hello.User, OS: hello.OS, Version: hello.Version, LastSeen: time.Now().UTC()}); err != nil {
		return err
	}
	meta, err := h.store.UpsertSession(db.Session{
		ID: sid, Node: hello.Node, Command: start.Command, Args: start.Args, Cwd: start.Cwd,
		// Live only once the connection is attached (below), so a session
		// never shows live while its input would still be refused.
		Cols: start.Cols, Rows: start.Rows, Status: db.StatusOffline, StartedAt: start.StartedAt,
		Agent: start.Agent, Hooks: start.Hooks, ResumeHash: resume, ByNode: start.ByNode, Worktree: start.Worktree, Title: start.Title, Tags: start.Tags,
	})
	if err != nil {
		return err
	}
	s, err := h.load(sid)
	if err != nil {
		return err
	}
	c := &wrapConn{h: h, node: hello.Node, session: sid, tokenID: a.TokenID, ackWake: make(chan struct{}, 1), out: make(chan wire.Envelope, inputQueue), t: t, ctx: ctx, cancel: cancel,
		waits:    promptWaits{results: map[string]promptWait{}},
		files:    fileWaits{m: map[string]chan wire.Envelope{}, gone: ctx.Done(), names: start.Shares, approve: start.ShareApprove},
		commands: wire.CleanCommands(start.Commands)}
	c.ack.Store(meta.LastSeq)
	c.queued.Store(1) // the greeting: nothing goes before it
	greeting, err := h.greeting(meta, fresh, a.User)
	if err != nil {
		return err
	}
	// The send loop runs before the connection is attached: once attached,
	// input is queued for it (inputQueue), and a paste right after connect
	// would fill the queue during the store writes below and be refused.
	go c.sendLoop(ctx, t, greeting)
	if err := s.attach(c); err != nil {
		return err
	}
	s.turnUnknown()
	if err := h.store.SetSessionStatus(sid, db.StatusLive); err != nil {
		return err
	}
	slot.keep() // disconnect gives it back
	h.log.Info("wrap connected", "node", hello.Node, "session", sid, "command", start.Command, "acked_seq", meta.LastSeq)
	h.notify().LobbyChanged()
	defer h.disconnect(c, s)
	return c.readLoop(ctx, t, s)
}

// checkStart is why the hub refuses a wrap's handshake before it touches
// the store ("" when it may go on): a machine token publishing as another
// machine, bad tags, too many shared directories.
func checkStart(a WrapAuth, hello wire.Hello, start wire.SessionStart) string {
	if a.Machine != "" && hello.Node != a.Machine {
		return fmt.Sprintf("this token publishes only as machine %q, not %q: run ct wrap with --name %s or make a token for this machine", a.Machine, hello.Node, a.Machine)
	}
	if err := wire.CheckTags(start.Tags); err != nil {
		return "session tags: " + err.Error() + "; fix ct wrap's --tag flags"
	}
	if err := checkShares(start.Shares); err != nil {
		return err.Error() + ": share fewer directories"
	}
	return ""
}

// greeting is what a newly attached wrap hears before anything else, in
// order: where the durable log ends, a new session's agent credential, and
// the session's settings. The send loop writes it first.
func (h *Hub) greeting(meta db.Session, fresh bool, user string) ([]wire.Envelope, error) {
	ack, _ := wire.New(wire.TypeSessionAck, wire.SessionAck{Seq: meta.LastSeq})
	ack.SessionID = meta.ID
	out := []wire.Envelope{ack}
	if fresh && user != "" {
		cred, err := h.agentCredential(user, meta.Node, meta.ID)
		if err != nil {
			return nil, err
		}
		out = append(out, cred)
	}
	if meta.TerminalOnly {
		set, _ := wire.New(wire.TypeSessionSettings, wire.SessionSettings{TerminalOnly: true})
		set.SessionID = meta.ID
		out = append(out, set)
	}
	return out, nil
}

// refuse tells the wrap why its session.start is refused (it prints it)
// and returns that as the error.
func refuse(ctx context.Context, t Transport, msg string) error {
	refusal, _ := wire.New(wire.TypeError, wire.Error{Message: msg})
	_ = t.Write(ctx, refusal)
	return errors.New(msg)
}

func handshake(ctx context.Context, t Transport) (wire.Hello, wire.SessionStart, string, error) {
	var hello wire.Hello
	var start wire.SessionStart
	e, err := t.Read(ctx)
	if err != nil {
		return hello, start, "", err
	}
	if e.Type != wire.TypeNodeHello {
		return hello, start, "", fmt.Errorf("expected %s first, got %s", wire.TypeNodeHello, e.Type)
	}
	if err := e.Decode(&hello); err != nil {
		return hello, start, "", err
	}
	if hello.Node == "" || len(hello.Node) > 128 {
		return hello, start, "", errors.New("node name must be 1-128 characters")
	}
	e, err = t.Read(ctx)
	if err != nil {
		return hello, start, "", err
	}
	if e.Type != wire.TypeSessionStart {
		return hello, start, "", fmt.Errorf("expected %s second, got %s", wire.TypeSessionStart, e.Type)
	}
	if err := e.Decode(&start); err != nil {
		return hello, start, "", err
	}
	if !validID(e.SessionID) {
		return hello, start, "", fmt.Errorf("session id %q must be 8-64 letters, digits or dashes", e.SessionID)
	}
	return hello, start, e.SessionID, nil
}

// resumeHash is how a session's reconnect secret is stored ("" for none:
// a wrap from before secrets).
func resumeHash(secret string) string {
	if secret == "" {
		return ""
	}
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

func validID(id string) bool {
	if len(id) < 8 || len(id) > 64 {
		return false
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-') {
			return false
		}
	}
	return true
}

func (c *wrapConn) ackUpTo(seq uint64) {
	c.ack.Store(seq)
	select {
	case c.ackWake <- struct{}{}:
	default:
	}
}

func (c *wrapConn) fail(why string) {
	c.once.Do(func() { c.cancel(errors.New(why)) })
}

func (h *Hub) disconnect(c *wrapConn, s *session) {
	s.detach(c)
	s.mu.Lock()
	replaced := s.conn != nil // a newer connection of the session took over
	s.mu.Unlock()
	if !replaced {
		// Its hooks ended with the connection; Claude Code's dialog decides now.
		h.closeSessionPrompts(c.session, "disconnected", "the workstation disconnected; answered at the terminal")
	}
	h.mu.Lock()
	h.releaseLiveLocked(c.node)
	s.used = time.Now() // idle from now on (memlimits.go)
	h.mu.Unlock()
	// A connection replaced by a newer one of the same session leaves it live.
	if !replaced {
		if err := h.store.SetSessionStatus(c.session, db.StatusOffline); err != nil {
			h.log.Warn("mark session offline", "session", c.session, "error", err)
		}
	}
	h.log.Info("wrap disconnected", "node", c.node, "session", c.session)
	h.notify().LobbyChanged()
}

// afterCommit acks durable events to the sessions' current wraps (which may
// have reconnected since the events arrived) and refreshes pages.
func (h *Hub) afterCommit(acked map[string]uint64, batch []wire.Envelope) {
	// An ended session's agent credential is revoked before its end is
	// acked: once the wrap hears the end is stored, nothing acts for it.
	ended := false
	for _, e := range batch {
		if e.Type == wire.TypeSessionEnd {
			ended = true
			h.revokeAgentCredential(e.SessionID)
		}
	}
	for sid, seq := range acked {
		h.mu.Lock()
		s := h.sessions[sid]
		h.mu.Unlock()
		if s != nil {
			s.acked(seq)
		}
	}
	h.transcriptCommitted(batch)
	if ended || h.lobbyDue() {
		h.notify().LobbyChanged()
	}
}

// lobbyDue rate-limits lobby refreshes caused only by output activity.
func (h *Hub) lobbyDue() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if time.Since(h.lastLobby) < lobbyEvery {
		return false
	}
	h.lastLobby = time.Now()
	return true
}

// DropToken closes every wrap connection that authenticated with token id
// (it was revoked).
func (h *Hub) DropToken(id string) {
	if id == "" {
		return
	}
	h.mu.Lock()
	var doomed []*wrapConn
	for _, s := range h.sessions {
		s.mu.Lock()
		if s.conn != nil && s.conn.tokenID == id {
			doomed = append(doomed, s.conn)
		}
		s.mu.Unlock()
	}
	h.mu.Unlock()
	for _, c := range doomed {
		c.fail("its token was revoked")
	}
}
