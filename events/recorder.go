package events

import (
	"encoding/json"
	"log/slog"
	"sync"
	"time"

	"github.com/ct-dev/ct/db"
	"github.com/ct-dev/ct/hub"
)

var _ hub.Listener = (*Recorder)(nil)

// queueSize bounds prompt changes waiting for the worker. The hub's calls
// must never block; 4096 is far above any burst of prompts (each costs one
// store read), and one that finds the queue full is logged and dropped.
const queueSize = 4096

// settledKept bounds the memory of prompts already announced as settled
// (a settled prompt can be touched again, e.g. a terminal answer's detail
// learned later, and must not be announced twice).
const settledKept = 4096

// trimEvery is how many events are appended between trims of the log.
const trimEvery = 100

// Deps is what the recorder needs.
type Deps struct {
	Store *db.Store
	Log   *slog.Logger
	// State says what a session is doing (hub.Hub.State).
	State func(db.Session) string
	// Keep is how many events the log keeps (the oldest are trimmed).
	Keep int
	// Appended is told after each event is stored (the webhook sender's
	// wake-up); nil: nobody.
	Appended func()
}

// Recorder is a hub.Listener that turns session and prompt changes into
// numbered events. The hub's calls only queue: one worker goroutine reads
// the store, compares with what it last saw and appends events, so events
// are stored in the order the worker sees changes and never out of it.
type Recorder struct {
	hub.NopListener // screens, wheels and transcripts are not events

	d      Deps
	broker *Broker
	prompt chan [2]string // session id, prompt id
	lobby  chan struct{}  // one pending session scan (coalesced)
	done   chan struct{}
	wg     sync.WaitGroup
	once   sync.Once

	// Owned by the worker goroutine only.
	states  map[string]string // session id -> last state announced
	opened  map[string]bool   // prompt ids announced as opened, until settled
	settled map[string]bool   // prompt ids announced as settled
	order   []string          // settled ids, oldest first, to bound settled
	since   int               // events appended since the last trim
}

// NewRecorder starts a recorder. What the kept log last said about each
// session and prompt is its baseline, so what changed while the hub was
// down (prompts the restart closed, sessions gone offline) is announced
// now (catchup.go); sessions the log no longer mentions start from their
// state now, without an event.
func NewRecorder(d Deps) *Recorder {
	r := &Recorder{d: d, broker: newBroker(), prompt: make(chan [2]string, queueSize), lobby: make(chan struct{}, 1),
		done: make(chan struct{}), opened: map[string]bool{}, settled: map[string]bool{}}
	last, err := d.Store.LastEventID()
	if err != nil {
		d.Log.Warn("events: read the last event id", "error", err)
	}
	r.broker.last = last
	r.states = r.scan()
	r.catchUp()
	r.wg.Add(1)
	go r.run() // the one writer of events, so ids follow the order of changes
	return r
}

// Broker is where streams subscribe.
func (r *Recorder) Broker() *Broker { return r.broker }

// Close stops the worker after what is queued and ends every stream.
func (r *Recorder) Close() {
	r.once.Do(func() { close(r.done) })
	r.wg.Wait()
	r.broker.close()
}

// LobbyChanged implements hub.Listener: sessions may have changed state.
func (r *Recorder) LobbyChanged() {
	select {
	case r.lobby <- struct{}{}:
	default: // a scan is already due: it will see this change too
	}
}

// PromptsChanged implements hub.Listener.
func (r *Recorder) PromptsChanged(sessionID, promptID string) {
	select {
	case r.prompt <- [2]string{sessionID, promptID}:
	default:
		r.d.Log.Warn("events: queue full, prompt change dropped", "prompt", promptID)
	}
}

func (r *Recorder) run() {
	defer r.wg.Done()
	for {
		select {
		case p := <-r.prompt:
			r.promptChanged(p[1])
			r.sessions() // an open prompt is a state (waiting_approval)
		case <-r.lobby:
			r.sessions()
		case <-r.done:
			return
		}
	}
}

// promptChanged announces prompt id opened (the first time it is seen
// pending) or settled (the first time it is seen settled).
func (r *Recorder) promptChanged(id string) {
	p, err := r.d.Store.GetPrompt(id)
	if err != nil {
		r.d.Log.Warn("events: read prompt", "prompt", id, "error", err)
		return
	}
	if p.State == db.PromptPending {
		if !r.opened[id] {
			r.opened[id] = true
			r.emit(Event{Type: PromptOpened, At: p.CreatedAt, Node: p.Node, SessionID: p.SessionID, Prompt: promptInfo(p)})
		}
		return
	}
	if r.settled[id] {
		return
	}
	delete(r.opened, id)
	r.settled[id] = true
	if r.order = append(r.order, id); len(r.order) > settledKept {
		delete(r.settled, r.order[0])
		r.order = r.order[1:]
	}
	at := p.DecidedAt
	if at.IsZero() {
		at = time.Now().UTC()
	}
	r.emit(Event{Type: PromptSettled, At: at, Node: p.Node, SessionID: p.SessionID, Prompt: promptInfo(p)})
}

// sessions compares every session's state with the last one announced.
func (r *Recorder) sessions() {
	now := r.scanSessions()
	for id, cur := range now {
		prev, known := r.states[id]
		switch {
		case cur.state == prev:
			continue
		case !known:
			r.emit(Event{Type: SessionStarted, At: cur.ss.StartedAt, Node: cur.ss.Node, SessionID: id, Session: sessionInfo(cur.ss, cur.state, "")})
		case cur.state == hub.StateEnded:
			r.emit(Event{Type: SessionEnded, At: endedAt(cur.ss), Node: cur.ss.Node, SessionID: id, Session: sessionInfo(cur.ss, cur.state, prev)})
		default:
			r.emit(Event{Type: SessionState, At: time.Now().UTC(), Node: cur.ss.Node, SessionID: id, Session: sessionInfo(cur.ss, cur.state, prev)})
		}
		r.states[id] = cur.state
	}
	for id := range r.states {
		if _, ok := now[id]; !ok {
			delete(r.states, id) // removed by retention
		}
	}
}

func endedAt(ss db.Session) time.Time {
	if ss.EndedAt.IsZero() {
		return time.Now().UTC()
	}
	return ss.EndedAt
}

type sessionNow struct {
	ss    db.Session
	state string
}

// scan is the state of every session now, for the baseline.
func (r *Recorder) scan() map[string]string {
	out := map[string]string{}
	for id, s := range r.scanSessions() {
		out[id] = s.state
	}
	return out
}

func (r *Recorder) scanSessions() map[string]sessionNow {
	list, err := r.d.Store.Sessions()
	if err != nil {
		r.d.Log.Warn("events: list sessions", "error", err)
		return nil
	}
	out := make(map[string]sessionNow, len(list))
	for _, ss := range list {
		if r.states[ss.ID] == hub.StateEnded {
			out[ss.ID] = sessionNow{ss, hub.StateEnded} // ended is final: no state lookup
			continue
		}
		out[ss.ID] = sessionNow{ss, eventState(r.d.State(ss))}
	}
	return out
}

// eventState is the hub's state without the working/idle flicker: output
// alone is not an event (it would be one every few seconds), so a live
// session that waits for nobody is idle whether or not it prints.
func eventState(s string) string {
	if s == hub.StateWorking {
		return hub.StateIdle
	}
	return s
}

// emit numbers and stores e, then hands it to the live streams.
func (r *Recorder) emit(e Event) {
	e.At = e.At.UTC()
	rec, err := r.d.Store.AppendEvent(e.Type, e.Node, func(id uint64) ([]byte, error) {
		e.ID = id
		return json.Marshal(e)
	})
	if err != nil {
		r.d.Log.Error("events: store an event", "type", e.Type, "session", e.SessionID, "error", err)
		return
	}
	r.broker.publish(rec)
	if r.d.Appended != nil {
		r.d.Appended()
	}
	if r.since++; r.since >= trimEvery {
		r.since = 0
		if err := r.d.Store.TrimEvents(r.d.Keep); err != nil {
			r.d.Log.Warn("events: trim the log", "error", err)
		}
	}
}
