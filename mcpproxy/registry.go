package mcpproxy

import (
	"regexp"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/ct-dev/ct/coord"
)

// Default limits (ct serve --mcp-call-timeout, --mcp-max-bytes).
const (
	// DefaultCallTimeout bounds one proxied call end to end: a tool that
	// takes longer is answered as timed out (the caller's ct mcp waits
	// this plus its own request timeout).
	DefaultCallTimeout = 60 * time.Second
	// DefaultMaxBytes bounds a call's args and its result, so one call
	// cannot make the hub hold megabytes in memory.
	DefaultMaxBytes = 256 << 10
)

// Fixed caps: a registration's shape, not a setting anyone tunes.
const (
	maxServersPerHost = 8  // one agent's ct mcp proxies a handful of servers
	maxTools          = 64 // tools listed per server
	maxSchemaBytes    = 16 << 10
	maxQueuedPerHost  = 16 // calls waiting for one host; more are refused (429)
	// staleAfter: a host with no poll open for this long has gone without
	// its connection closing (a proxy in front of the hub that hides the
	// disconnect); its servers are dropped.
	staleAfter = 15 * time.Second
)

// serverName is what a registered server may be called; compiled on first
// use, not at package init, which every ct hook would pay (the {0,63}
// repeat expands to 64 copies: ~700 allocations).
var serverName = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,63}$`) })

// Limits are the registry's settings; zero fields take their defaults.
type Limits struct {
	CallTimeout time.Duration
	MaxBytes    int
}

// Registry is the hub's live table of proxied servers. Safe for
// concurrent use.
type Registry struct {
	lim Limits
	now func() time.Time
	// mu guards every map and each host's queue: registrations, polls,
	// calls and results all touch the same host record.
	mu      sync.Mutex
	servers map[string]*server
	hosts   map[string]*host
	nextID  uint64
}

type server struct {
	Server
	allowed map[string]bool
}

type host struct {
	peer     string
	servers  map[string]bool
	queue    []*call          // not yet handed to a poll
	pending  map[string]*call // handed out, waiting for the result
	wake     chan struct{}    // closed (and replaced) when a call is queued or the host goes
	polling  int              // open polls
	lastPoll time.Time
	gone     bool
}

type call struct {
	Call
	done chan Result // buffered 1: the result, or why there is none
}

// New makes an empty registry; now nil means time.Now.
func New(lim Limits, now func() time.Time) *Registry {
	if lim.CallTimeout <= 0 {
		lim.CallTimeout = DefaultCallTimeout
	}
	if lim.MaxBytes <= 0 {
		lim.MaxBytes = DefaultMaxBytes
	}
	if now == nil {
		now = time.Now
	}
	return &Registry{lim: lim, now: now, servers: map[string]*server{}, hosts: map[string]*host{}}
}

// Limits are the settings in force.
func (r *Registry) Limits() Limits { return r.lim }

func fail(k coord.Kind, msg string) error { return &coord.Error{Kind: k, Msg: msg} }

// Register records reg as hosted by peer, replacing the same name from
// the same host. A name another peer hosts is refused.
func (r *Registry) Register(peer string, reg Registration) (Server, error) {
	if !serverName().MatchString(reg.Name) {
		return Server{}, fail(coord.Invalid, "server name "+strconv.Quote(reg.Name)+": use 1-64 lowercase letters, digits, '.', '_' or '-'")
	}
	if len(reg.Tools) > maxTools {
		return Server{}, fail(coord.TooLarge, "a server may list at most "+strconv.Itoa(maxTools)+" tools; pass allow_tools to expose fewer")
	}
	s := &server{Server: Server{Name: reg.Name, Host: peer, Registered: r.now().UTC(), Offered: len(reg.Tools),
		AllowTools: slices.Clone(reg.AllowTools)}, allowed: map[string]bool{}}
	for _, t := range reg.Tools {
		if len(t.InputSchema) > maxSchemaBytes {
			return Server{}, fail(coord.TooLarge, "tool "+t.Name+"'s input schema is over 16 KB")
		}
		if len(reg.AllowTools) > 0 && !slices.Contains(reg.AllowTools, t.Name) {
			continue
		}
		s.Tools = append(s.Tools, t)
		s.allowed[t.Name] = true
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.prune()
	if old, ok := r.servers[reg.Name]; ok && old.Host != peer {
		return Server{}, fail(coord.Conflict, "server "+reg.Name+" is hosted by "+old.Host+"; choose another name")
	}
	h := r.hostLocked(peer)
	if !h.servers[reg.Name] && len(h.servers) >= maxServersPerHost {
		return Server{}, fail(coord.TooMany, "a peer hosts at most "+strconv.Itoa(maxServersPerHost)+" servers; unregister one first")
	}
	h.servers[reg.Name] = true
	r.servers[reg.Name] = s
	return s.Server, nil
}

// hostLocked returns peer's host record, making it (as if it had just
// polled, so it is not stale before its first poll).
func (r *Registry) hostLocked(peer string) *host {
	h := r.hosts[peer]
	if h == nil {
		h = &host{peer: peer, servers: map[string]bool{}, pending: map[string]*call{}, wake: make(chan struct{}), lastPoll: r.now()}
		r.hosts[peer] = h
	}
	return h
}

// Unregister drops peer's server name; it is an error if peer does not
// host it. Calls waiting on it are answered that it is gone.
func (r *Registry) Unregister(peer, name string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	s, ok := r.servers[name]
	if !ok || s.Host != peer {
		return fail(coord.NotFound, "you host no server "+strconv.Quote(name)+"; mcp_list shows who hosts what")
	}
	delete(r.servers, name)
	h := r.hosts[peer]
	delete(h.servers, name)
	h.failCalls(func(c *call) bool { return c.Server == name }, "server "+name+" was unregistered by its host")
	if len(h.servers) == 0 {
		r.dropHostLocked(h, "")
	}
	return nil
}

// Servers lists every live server, by name.
func (r *Registry) Servers() []Server {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.prune()
	out := make([]Server, 0, len(r.servers))
	for _, s := range r.servers {
		cp := s.Server
		cp.Tools, cp.AllowTools = slices.Clone(s.Tools), slices.Clone(s.AllowTools)
		out = append(out, cp)
	}
	slices.SortFunc(out, func(a, b Server) int { return cmpString(a.Name, b.Name) })
	return out
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// prune drops hosts that have had no poll open for staleAfter.
func (r *Registry) prune() {
	now := r.now()
	for _, h := range r.hosts {
		if h.polling == 0 && now.Sub(h.lastPoll) > staleAfter {
			r.dropHostLocked(h, "the host "+h.peer+" stopped answering")
		}
	}
}

// HostGone drops every server peer hosts: its ct mcp has left.
func (r *Registry) HostGone(peer string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if h := r.hosts[peer]; h != nil {
		r.dropHostLocked(h, "the host "+peer+" left")
	}
}

// dropHostLocked removes h and its servers; why, when set, answers the
// calls still waiting on it.
func (r *Registry) dropHostLocked(h *host, why string) {
	for name := range h.servers {
		delete(r.servers, name)
	}
	if why == "" {
		why = "the host " + h.peer + " no longer serves it"
	}
	h.failCalls(func(*call) bool { return true }, why)
	h.gone = true
	close(h.wake)
	delete(r.hosts, h.peer)
}

// failCalls answers the queued and pending calls that match with why.
func (h *host) failCalls(match func(*call) bool, why string) {
	kept := h.queue[:0]
	for _, c := range h.queue {
		if match(c) {
			c.done <- Result{Error: why}
		} else {
			kept = append(kept, c)
		}
	}
	h.queue = kept
	for id, c := range h.pending {
		if match(c) {
			c.done <- Result{Error: why}
			delete(h.pending, id)
		}
	}
}
