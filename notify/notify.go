// Package notify owns reaching people away from the hub: Web Push (VAPID)
// to their browsers and phones, ntfy topics, and the signed single-use links
// that let a notification's Approve/Deny buttons answer a prompt without a
// login. It reads prompts, sessions, users and preferences from the store
// and sends; it never decides prompts itself (the HTTP layer does, through
// the hub) and never renders pages.
package notify

import (
	"context"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/ct-dev/ct/coord"
	"github.com/ct-dev/ct/db"
	"github.com/ct-dev/ct/hub"
)

var _ hub.Listener = (*Notifier)(nil)

// queueSize bounds events waiting for the sender. The hub's calls must never
// block, so an event that finds the queue full is dropped and logged; 1024 is
// far above any realistic burst of prompts.
const queueSize = 1024

// sendTimeout bounds one delivery to a push service or ntfy server so a
// dead endpoint cannot hold a sender slot for long.
const sendTimeout = 10 * time.Second

// maxSenders bounds concurrent deliveries: each is an outbound HTTPS request.
const maxSenders = 16

// Deps is what the notifier needs.
type Deps struct {
	Store *db.Store
	Log   *slog.Logger
	// Dial says which addresses push services and ntfy may be at; the zero
	// value allows public addresses only (see DialPolicy).
	Dial DialPolicy
	// Now is the clock for quiet hours and link expiry; nil means time.Now.
	Now func() time.Time
	// Waiting reports whether a live session's agent waits for its person
	// (hub.AgentWaiting); nil: never.
	Waiting func(sessionID string) bool
	// GroupMembers lists the people (hub user names) in a coordination
	// group, for escalations to a rule's group (nil: no groups).
	GroupMembers func(group string) []string

	afterScan func() // tests: called after each session scan
}

// Notifier turns hub events into notifications. It is a hub.Listener that
// acts on prompt and lobby changes only. Its PromptsChanged and LobbyChanged
// never block: they queue the event for one worker goroutine, which keeps
// the dedup state without locks and fans deliveries out.
type Notifier struct {
	hub.NopListener // screen, wheel and transcript changes notify no one

	store   *db.Store
	log     *slog.Logger
	dial    DialPolicy
	push    *http.Client // Web Push: public addresses only
	ntfyC   *http.Client // ntfy: private ones too when the admin allows
	now     func() time.Time
	waiting func(string) bool
	members func(string) []string
	keys    Keys

	afterScan func()

	events chan event
	lobby  chan struct{} // one pending lobby scan (coalesced)
	slots  chan struct{} // delivery semaphore
	done   chan struct{}
	wg     sync.WaitGroup // the worker and running deliveries
	once   sync.Once

	// Owned by the worker goroutine only.
	opened  map[string][]string // prompt id -> people told it opened
	ended   map[string]bool     // session ids known ended (nil until the first scan)
	waitNow map[string]bool     // live sessions announced as waiting, until they stop waiting
}

// event is a prompt change, an escalation (overdue), or (msg set) a P0
// message.
type event struct {
	sessionID, promptID string
	msg                 *coord.Message
	overdue             bool
	group               string // the escalation's group ("": the usual people)
}

// New loads or creates the hub's keys and starts the worker; Close stops it.
func New(d Deps) (*Notifier, error) {
	keys, err := LoadKeys(d.Store)
	if err != nil {
		return nil, err
	}
	n := &Notifier{store: d.Store, log: d.Log, dial: d.Dial, push: d.Dial.client(false), ntfyC: d.Dial.client(d.Dial.AllowPrivate), now: d.Now, waiting: d.Waiting, members: d.GroupMembers, afterScan: d.afterScan, keys: keys, waitNow: map[string]bool{},
		events: make(chan event, queueSize), lobby: make(chan struct{}, 1),
		slots: make(chan struct{}, maxSenders), done: make(chan struct{}),
		opened: map[string][]string{}}
	if n.now == nil {
		n.now = time.Now
	}
	// Sessions that ended before this start are not news.
	n.scanSessions()
	n.wg.Add(1)
	go n.run()
	return n, nil
}

// Keys returns the hub's VAPID public key and link secret holder.
func (n *Notifier) Keys() Keys { return n.keys }

// PromptsChanged queues a prompt's change; it never blocks.
func (n *Notifier) PromptsChanged(sessionID, promptID string) {
	select {
	case n.events <- event{sessionID: sessionID, promptID: promptID}:
	default:
		n.log.Warn("notification queue full; dropped a prompt event", "prompt", promptID)
	}
}

// LobbyChanged queues a scan for sessions that ended; it never blocks and
// coalesces bursts into one scan.
func (n *Notifier) LobbyChanged() {
	select {
	case n.lobby <- struct{}{}:
	default:
	}
}

// Close stops the worker and waits for deliveries under way.
func (n *Notifier) Close() {
	n.once.Do(func() { close(n.done) })
	n.wg.Wait()
}

func (n *Notifier) run() {
	defer n.wg.Done()
	for {
		select {
		case <-n.done:
			return
		case e := <-n.events:
			switch {
			case e.msg != nil:
				n.messageEvent(*e.msg)
			case e.overdue:
				n.overdueEvent(e)
			default:
				n.promptEvent(e)
			}
		case <-n.lobby:
			n.scanSessions()
		}
	}
}

// deliver runs send in its own goroutine, bounded by the semaphore, so one
// slow endpoint never delays the next event.
func (n *Notifier) deliver(what string, send func(ctx context.Context) error) {
	select {
	case n.slots <- struct{}{}:
	case <-n.done:
		return
	}
	n.wg.Add(1)
	go func() {
		defer n.wg.Done()
		defer func() { <-n.slots }()
		ctx, cancel := context.WithTimeout(context.Background(), sendTimeout)
		defer cancel()
		if err := send(ctx); err != nil {
			n.log.Warn("notification not delivered", "to", what, "error", err)
		}
	}()
}
