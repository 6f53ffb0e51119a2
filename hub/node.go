package hub

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/ct-dev/ct/db"
	"github.com/ct-dev/ct/wire"
)

// Errors for starting sessions on nodes.
var (
	ErrNodeOffline = errors.New("no ct node is connected for this machine: start ct node on it")
	ErrNodeSilent  = errors.New("the node did not answer in time; it may be overloaded or its connection dropping")
)

// spawnWait bounds how long a request to start a session waits for the
// node's answer (the node answers once the session reached the hub, which
// takes a connection; 20 s covers a slow one).
const spawnWait = 20 * time.Second

// NodeState is what the hub knows of one ct node: what it registered
// (for display only: the node enforces its own allow-list) and whether its
// control connection is up now.
type NodeState struct {
	wire.NodeRegister
	Online bool
	Since  time.Time // when it (last) connected
}

// nodeRegistry holds ct node control connections by machine name, and the
// last registration of nodes that went away (their allow-lists stay shown
// until the hub restarts). Its lock is never held while taking Hub.mu.
type nodeRegistry struct {
	mu    sync.Mutex
	conns map[string]*nodeConn
	last  map[string]NodeState
}

// nodeConn is one connected ct node.
type nodeConn struct {
	reg   wire.NodeRegister
	since time.Time
	out   chan wire.Envelope // to the node; bounded, never blocks the caller
	gone  chan struct{}      // closed when the connection ends
	mu    sync.Mutex
	waits map[string]chan wire.Envelope // by request id: node.spawned, node.cleaned
}

func (r *nodeRegistry) put(c *nodeConn) (old *nodeConn) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.conns == nil {
		r.conns, r.last = map[string]*nodeConn{}, map[string]NodeState{}
	}
	old = r.conns[c.reg.Node]
	r.conns[c.reg.Node] = c
	r.last[c.reg.Node] = NodeState{NodeRegister: c.reg, Since: c.since}
	return old
}

func (r *nodeRegistry) remove(c *nodeConn) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.conns[c.reg.Node] == c {
		delete(r.conns, c.reg.Node)
	}
}

func (r *nodeRegistry) get(name string) *nodeConn {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.conns[name]
}

// NodeConnected reports whether a ct node for machine name is connected.
func (h *Hub) NodeConnected(name string) bool { return h.nodes.get(name) != nil }

// Nodes lists every ct node this hub has seen since it started, by name.
func (h *Hub) Nodes() []NodeState {
	h.nodes.mu.Lock()
	out := make([]NodeState, 0, len(h.nodes.last))
	for name, st := range h.nodes.last {
		st.Online = h.nodes.conns[name] != nil
		out = append(out, st)
	}
	h.nodes.mu.Unlock()
	sort.Slice(out, func(i, j int) bool { return out[i].Node < out[j].Node })
	return out
}

// Node returns what is known of one ct node.
func (h *Hub) Node(name string) (NodeState, bool) {
	h.nodes.mu.Lock()
	defer h.nodes.mu.Unlock()
	st, ok := h.nodes.last[name]
	st.Online = h.nodes.conns[name] != nil
	return st, ok
}

// nodeQueue bounds requests waiting to be written to one node.
const nodeQueue = 16

// readRegister reads and checks a node's first frame, telling the node
// why when it is refused.
func readRegister(ctx context.Context, t Transport, a WrapAuth) (wire.NodeRegister, error) {
	var reg wire.NodeRegister
	first, err := t.Read(ctx)
	if err != nil {
		return reg, err
	}
	msg := ""
	switch {
	case first.Type != wire.TypeNodeRegister || first.Decode(&reg) != nil:
		msg = fmt.Sprintf("expected %s first, got %s", wire.TypeNodeRegister, first.Type)
	case reg.Node == "" || len(reg.Node) > 128 || len(reg.Allow) > 64 || len(reg.Roots) > 64 || len(reg.Sessions) > 4096:
		msg = "node.register needs a machine name (at most 128 bytes), at most 64 commands and roots and 4096 sessions"
	case a.Machine != "" && reg.Node != a.Machine:
		msg = fmt.Sprintf("this token is for machine %q, not %q: run ct node with --name %s or make a token for this machine", a.Machine, reg.Node, a.Machine)
	default:
		return reg, nil
	}
	e, _ := wire.New(wire.TypeError, wire.Error{Message: msg})
	_ = t.Write(ctx, e)
	return reg, errors.New(msg)
}

// ServeNode runs the hub's side of one ct node control connection: the
// node registers, then receives node.spawn requests and answers each with
// node.spawned. a.Machine binds the connection to one machine name.
func (h *Hub) ServeNode(ctx context.Context, t Transport, a WrapAuth) error {
	h.mu.Lock()
	closed := h.closed
	h.mu.Unlock()
	if closed {
		return errors.New("hub is shutting down")
	}
	reg, err := readRegister(ctx, t, a)
	if err != nil {
		return err
	}
	if err := h.store.PutNode(db.Node{Name: reg.Node, Hostname: reg.Hostname, User: reg.User, OS: reg.OS, Version: reg.Version, LastSeen: time.Now().UTC()}); err != nil {
		return err
	}
	if reg.ReportsSessions {
		h.endLostSessions(reg.Node, reg.Sessions)
	}
	c := &nodeConn{reg: reg, since: time.Now().UTC(), out: make(chan wire.Envelope, nodeQueue), gone: make(chan struct{}), waits: map[string]chan wire.Envelope{}}
	defer close(c.gone)
	if old := h.nodes.put(c); old != nil {
		h.log.Info("node replaced by a newer connection", "node", reg.Node)
	}
	defer func() {
		h.nodes.remove(c)
		h.log.Info("node disconnected", "node", reg.Node)
		h.notify().LobbyChanged()
	}()
	ready, _ := wire.New(wire.TypeNodeReady, nil)
	if err := t.Write(ctx, ready); err != nil {
		return err
	}
	h.log.Info("node connected", "node", reg.Node, "os", reg.OS, "version", reg.Version, "allow", reg.Allow, "roots", reg.Roots)
	h.notify().LobbyChanged()

	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case e := <-c.out:
				if err := t.Write(ctx, e); err != nil {
					cancel(err)
					return
				}
			}
		}
	}()
	for {
		e, err := t.Read(ctx)
		if err != nil {
			if cause := context.Cause(ctx); cause != nil && !errors.Is(cause, context.Canceled) {
				return cause
			}
			return err
		}
		var ans struct {
			Request string `json:"request"`
		}
		if (e.Type != wire.TypeNodeSpawned && e.Type != wire.TypeNodeCleaned && e.Type != wire.TypeNodeAgentList) || e.Decode(&ans) != nil {
			continue // newer nodes may send more; ignore what this hub does not know
		}
		c.mu.Lock()
		w := c.waits[ans.Request]
		delete(c.waits, ans.Request)
		c.mu.Unlock()
		if w != nil {
			w <- e // cap 1, one answer per request
		}
	}
}

// Spawn asks machine name's node to start a session and returns its answer:
// a session id, or the node's reason for refusing.
func (h *Hub) Spawn(ctx context.Context, name string, req wire.NodeSpawn) (wire.NodeSpawned, error) {
	req.Request = newRequestID()
	return askNode[wire.NodeSpawned](ctx, h, name, wire.TypeNodeSpawn, req.Request, req)
}

// CleanupWorktree asks machine name's node to remove the worktree it made
// for an archived session, if clean; the answer says what it did.
func (h *Hub) CleanupWorktree(ctx context.Context, name string, req wire.NodeCleanup) (wire.NodeCleaned, error) {
	req.Request = newRequestID()
	return askNode[wire.NodeCleaned](ctx, h, name, wire.TypeNodeCleanup, req.Request, req)
}

// AgentSessions asks machine name's node which past conversations of an
// agent it could resume in a directory.
func (h *Hub) AgentSessions(ctx context.Context, name string, req wire.NodeAgentSessions) (wire.NodeAgentList, error) {
	req.Request = newRequestID()
	return askNode[wire.NodeAgentList](ctx, h, name, wire.TypeNodeAgentSessions, req.Request, req)
}

// askNode sends one request to a node and decodes its answer as T.
func askNode[T any](ctx context.Context, h *Hub, name, typ, request string, payload any) (T, error) {
	var ans T
	e, err := h.ask(ctx, name, typ, request, payload)
	if err == nil {
		err = e.Decode(&ans)
	}
	return ans, err
}

func newRequestID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// ask sends one request to machine name's node and waits for the answer
// carrying the same request id, at most spawnWait.
func (h *Hub) ask(ctx context.Context, name, typ, request string, payload any) (wire.Envelope, error) {
	c := h.nodes.get(name)
	if c == nil {
		return wire.Envelope{}, ErrNodeOffline
	}
	e, err := wire.New(typ, payload)
	if err != nil {
		return wire.Envelope{}, err
	}
	w := make(chan wire.Envelope, 1)
	c.mu.Lock()
	c.waits[request] = w
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		delete(c.waits, request)
		c.mu.Unlock()
	}()
	select {
	case c.out <- e:
	default:
		return wire.Envelope{}, ErrBusy
	}
	timer := time.NewTimer(spawnWait)
	defer timer.Stop()
	select {
	case ans := <-w:
		return ans, nil
	case <-c.gone:
		return wire.Envelope{}, ErrNodeOffline
	case <-timer.C:
		return wire.Envelope{}, ErrNodeSilent
	case <-ctx.Done():
		return wire.Envelope{}, ctx.Err()
	}
}
