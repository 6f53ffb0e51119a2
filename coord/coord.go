// Package coord is the hub's coordination service for people and agents:
// messages, locks with leases, todos, reminders and peers with presence.
// It keeps its records in the store's coord_* buckets (through db.CoordTx)
// and pushes live events to subscribers through its Bus. It knows nothing
// of HTTP, sessions or terminals; handlers call it.
package coord

import (
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/ct-dev/ct/db"
)

// Clock tells the time; tests pass a FakeClock so leases and reminders can
// be checked without waiting.
type Clock interface{ Now() time.Time }

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

// FakeClock is a Clock that moves only when told. Safe for concurrent use.
type FakeClock struct {
	mu sync.Mutex
	t  time.Time
}

// NewFakeClock starts at t.
func NewFakeClock(t time.Time) *FakeClock { return &FakeClock{t: t} }

// Now returns the fake time.
func (f *FakeClock) Now() time.Time { f.mu.Lock(); defer f.mu.Unlock(); return f.t }

// Advance moves the fake time forward by d.
func (f *FakeClock) Advance(d time.Duration) { f.mu.Lock(); f.t = f.t.Add(d); f.mu.Unlock() }

// Kind classifies an Error so the HTTP layer can pick a status.
type Kind int

// Error kinds.
const (
	Invalid   Kind = iota + 1 // bad input (400)
	NotFound                  // no such record (404)
	Conflict                  // held by someone else, name taken (409)
	Forbidden                 // not yours (403)
	TooLarge                  // over a size limit (413)
	TooMany                   // over a rate (429); RetryAfter says when to retry
)

// Error is what coord returns for a caller's mistake: Msg says what to do.
type Error struct {
	Kind       Kind
	Msg        string
	RetryAfter time.Duration // TooMany only
}

func (e *Error) Error() string { return e.Msg }

func errf(k Kind, format string, a ...any) error {
	return &Error{Kind: k, Msg: fmt.Sprintf(format, a...)}
}

// KindOf returns err's Kind, or 0 for internal errors.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	if errors.Is(err, db.ErrNotFound) {
		return NotFound
	}
	return 0
}

// Service is the coordination service. Safe for concurrent use.
type Service struct {
	store *db.Store
	clock Clock
	log   *slog.Logger
	bus   *Bus
	seen  seen
	lim   Limits
	rate  *buckets
	// remote is the other hubs' peers that bridges announce (remote.go).
	remote remotePeers
	// prio is the template's default priority per message type (template.go).
	prio defaultPriorities
	// typing is who is composing to whom, live only (typing.go).
	typing typingTable
}

// New builds the service over store with the default limits. clock nil
// means the real clock.
func New(store *db.Store, clock Clock, log *slog.Logger) *Service {
	return NewLimited(store, clock, log, DefaultLimits())
}

// NewLimited builds the service with lim (zero fields: their defaults).
func NewLimited(store *db.Store, clock Clock, log *slog.Logger, lim Limits) *Service {
	if clock == nil {
		clock = realClock{}
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	lim = lim.withDefaults()
	s := &Service{store: store, clock: clock, log: log, bus: NewBus(), seen: seen{at: map[string]time.Time{}},
		lim: lim, rate: newBuckets(lim.MessageRate, lim.MessageBurst)}
	s.loadPriorities()
	return s
}

// Bus is the service's live event fan-out.
func (s *Service) Bus() *Bus { return s.bus }

// Now is the service's clock.
func (s *Service) Now() time.Time { return s.clock.Now() }
