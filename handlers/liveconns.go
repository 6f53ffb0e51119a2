package handlers

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"time"

	"github.com/ct-dev/ct/auth"
	"github.com/ct-dev/ct/db"
)

// Defaults for the stream caps (ct serve --max-streams, --max-streams-per-user).
const (
	// DefaultMaxStreams bounds every open SSE stream on the hub, so clients
	// cannot make it hold one per request forever.
	DefaultMaxStreams = 10000
	// DefaultMaxStreamsPerUser bounds one person's streams (all their tabs,
	// phones and API clients): far above what a person opens, far below
	// the hub's cap, so one account cannot take every slot.
	DefaultMaxStreamsPerUser = 64
)

// Errors a stream open is refused with (503 / 429).
var (
	errHubStreamsFull  = errors.New("too many open streams on this hub; close some tabs or ask an admin to raise --max-streams")
	errUserStreamsFull = errors.New("you have too many open streams (tabs, phones, API clients); close some, or ask an admin to raise --max-streams-per-user")
)

// liveConns is the registry of every long-lived connection the hub holds
// for someone (page streams, /api/v1/events, ct wrap and ct node sockets),
// keyed by the credential that opened it, so revoking a token, logging out
// or cutting a person's rights closes what that credential has open. It
// also keeps the stream caps: a slot is counted and reserved in one step
// under its lock, so parallel opens cannot race past a cap.
type liveConns struct {
	maxTotal, maxPerUser int // 0: no cap

	mu      sync.Mutex // guards the fields below; held only to count and copy
	total   int
	perUser map[string]int
	all     map[*liveConn]struct{}
}

// liveConn is one open connection: who opened it, with which credential,
// and how to end it (kill must not block).
type liveConn struct {
	user    string // the person (for tokens: who made it)
	cred    string // token id or web session id
	web     bool   // cred is a browser login
	machine string // machine sockets: the machine it publishes as
	counted bool   // holds a stream slot
	kill    func()
}

func newLiveConns(maxTotal, maxPerUser int) *liveConns {
	return &liveConns{maxTotal: maxTotal, maxPerUser: maxPerUser, perUser: map[string]int{}, all: map[*liveConn]struct{}{}}
}

// openStream reserves a stream slot for p and registers the connection;
// the error says which cap was hit. Release it with close.
func (lc *liveConns) openStream(p auth.Principal, kill func()) (*liveConn, error) {
	lc.mu.Lock()
	defer lc.mu.Unlock()
	if lc.maxTotal > 0 && lc.total >= lc.maxTotal {
		return nil, errHubStreamsFull
	}
	if lc.maxPerUser > 0 && lc.perUser[p.User] >= lc.maxPerUser {
		return nil, errUserStreamsFull
	}
	c := &liveConn{user: p.User, cred: p.TokenID, web: p.Kind == auth.KindSession, counted: true, kill: kill}
	lc.total++
	lc.perUser[p.User]++
	lc.all[c] = struct{}{}
	return c, nil
}

// openSocket registers a machine socket (not counted against the stream
// caps: the per-machine session cap bounds those).
func (lc *liveConns) openSocket(p auth.Principal, kill func()) *liveConn {
	c := &liveConn{user: p.User, cred: p.TokenID, machine: p.Machine, kill: kill}
	lc.mu.Lock()
	lc.all[c] = struct{}{}
	lc.mu.Unlock()
	return c
}

// close forgets a connection that ended and frees its slot; safe to call
// twice.
func (lc *liveConns) close(c *liveConn) {
	lc.mu.Lock()
	defer lc.mu.Unlock()
	if _, ok := lc.all[c]; !ok {
		return
	}
	delete(lc.all, c)
	if c.counted {
		lc.total--
		if lc.perUser[c.user]--; lc.perUser[c.user] <= 0 {
			delete(lc.perUser, c.user)
		}
	}
}

// drop ends every connection match picks (they unregister as they end).
func (lc *liveConns) drop(match func(c *liveConn) bool) {
	lc.mu.Lock()
	var doomed []*liveConn
	for c := range lc.all {
		if match(c) {
			doomed = append(doomed, c)
		}
	}
	lc.mu.Unlock()
	for _, c := range doomed {
		c.kill()
	}
}

// dropCred ends what a token or web session opened (revoked, logged out).
func (lc *liveConns) dropCred(id string) {
	if id == "" {
		return
	}
	lc.drop(func(c *liveConn) bool { return c.cred == id })
}

// dropUser ends a person's streams, and the machine sockets of machines
// they may no longer drive (mayDrive nil: all of them, e.g. disabled).
// Their pages reconnect and are checked again.
func (lc *liveConns) dropUser(user string, mayDrive func(machine string) bool) {
	lc.drop(func(c *liveConn) bool {
		if c.user != user {
			return false
		}
		if c.counted {
			return true
		}
		return mayDrive == nil || !mayDrive(c.machine)
	})
}

// dropWeb ends what a person's browser logins opened (they were all
// logged out, e.g. a new password).
func (lc *liveConns) dropWeb(user string) {
	lc.drop(func(c *liveConn) bool { return c.user == user && c.web })
}

// rightsCut closes what a person has open after an admin changed them: a
// disabled person loses everything, including their machines' sockets;
// otherwise their streams reconnect and are checked again, and the sockets
// of machines they may no longer drive close (a reconnect is refused).
func (s *Server) rightsCut(u db.User) {
	if u.Disabled {
		s.live.dropUser(u.Name, nil)
		return
	}
	maker := auth.Principal{User: u.Name, Role: u.Role, Grants: u.Grants, Kind: auth.KindSession}
	s.live.dropUser(u.Name, maker.CanDrive)
}

// count is how many streams hold a slot (for tests and metrics).
func (lc *liveConns) count() (total int, perUser map[string]int) {
	lc.mu.Lock()
	defer lc.mu.Unlock()
	m := make(map[string]int, len(lc.perUser))
	for k, v := range lc.perUser {
		m[k] = v
	}
	return lc.total, m
}

// hold takes a stream slot for the request's person and returns the
// context to serve the stream under: it ends when the client leaves or the
// registry drops the connection. kill ends it (even a write stuck on a
// client that stopped reading: a deadline in the past fails that write at
// once); release frees the slot when the handler is done.
func (lc *liveConns) hold(w http.ResponseWriter, r *http.Request) (ctx context.Context, kill, release func(), err error) {
	ctx, cancel := context.WithCancel(r.Context())
	rc := http.NewResponseController(w)
	kill = func() { _ = rc.SetWriteDeadline(time.Now()); cancel() }
	slot, err := lc.openStream(principal(r), kill)
	if err != nil {
		cancel()
		return nil, nil, nil, err
	}
	return ctx, kill, func() { lc.close(slot); cancel() }, nil
}

// streamStatus is the status a refused stream open gets.
func streamStatus(err error) int {
	if errors.Is(err, errUserStreamsFull) {
		return http.StatusTooManyRequests
	}
	return http.StatusServiceUnavailable
}

// refuseStream answers an open refused by a cap.
func refuseStream(w http.ResponseWriter, err error) {
	http.Error(w, err.Error(), streamStatus(err))
}
