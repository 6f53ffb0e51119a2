// Package promptnotice types a one-line notice into an agent's session when a
// coordination message reaches it: the agent peer opted in (notify_prompt)
// and names its ct session, the agent really ended its turn (its Stop hook;
// never merely idle, which includes a dialog left on screen), no question is
// open, nobody holds the wheel, the session is not "terminal only", and both
// the sender's and the agent's owners may drive that machine. The notice is
// only text for the agent to act on through its own tools, always starting
// "[ct] ", so it cannot be an answer to a dialog; it grants nothing
// (approvals stay with people). It owns its one goroutine (Run) and every
// retry; it must not import handlers or serve HTTP.
package promptnotice

import (
	"context"
	"log/slog"
	"strings"
	"time"
	"unicode"

	"github.com/ct-dev/ct/auth"
	"github.com/ct-dev/ct/coord"
	"github.com/ct-dev/ct/db"
	"github.com/ct-dev/ct/hub"
)

// noticeMax bounds the typed line: a notice, not the message.
const noticeMax = 160

// Retry a notice while the session is busy: every Retry for up to Wait,
// then give up (the message waits in the inbox regardless).
const (
	Retry = 2 * time.Second
	Wait  = 2 * time.Minute
)

// enterAfter separates the notice from its Enter: Claude Code takes a
// pasted line with its newline as a paste, not as a submit.
const enterAfter = 150 * time.Millisecond

// Hub is what the noticer needs of the live hub.
type Hub interface {
	State(ss db.Session) string
	TurnEnded(id string) bool
	Wheel(id string) (hub.WheelState, error)
	Input(id string, data []byte) error
}

// Auditor records what the hub typed on its own.
type Auditor interface {
	Record(actor, action, subject, addr string)
}

// Deps is what a Noticer needs.
type Deps struct {
	Coord *coord.Service
	Hub   Hub
	Store *db.Store
	Audit Auditor
	Log   *slog.Logger
}

// Noticer follows coordination messages and types notices. Run it once.
type Noticer struct {
	d   Deps
	now func() time.Time
}

// New returns a noticer; nothing runs until Run.
func New(d Deps) *Noticer { return &Noticer{d: d, now: time.Now} }

// job is a notice waiting for its session, or an Enter waiting for its
// moment.
type job struct {
	due   time.Time
	peer  coord.Peer
	msg   *coord.Message
	tries int
	enter string // session id: only type Enter there
}

// Run follows every message until ctx ends or the bus closes. All retries
// live in this goroutine's queue, so stopping Run stops them all.
func (n *Noticer) Run(ctx context.Context) {
	var queue []job
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		sub := n.d.Coord.Bus().Subscribe("", nil, true)
	follow:
		for {
			timer.Reset(n.untilNext(queue))
			select {
			case <-ctx.Done():
				n.d.Coord.Bus().Unsubscribe(sub)
				return
			case e, ok := <-sub.C:
				if !ok {
					break follow
				}
				if e.Message != nil && e.Message.From != "" {
					queue = append(queue, n.addressed(e.Message)...)
				}
			case <-timer.C:
			}
			queue = n.runDue(queue)
		}
		if n.d.Coord.Bus().Closed() {
			return
		}
		// Evicted (a flood): take a breath, then follow again.
		select {
		case <-ctx.Done():
			return
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// untilNext is how long until the earliest job is due.
func (n *Noticer) untilNext(queue []job) time.Duration {
	wait := time.Hour
	now := n.now()
	for _, j := range queue {
		wait = min(wait, max(j.due.Sub(now), 0))
	}
	return wait
}

// runDue runs the jobs that are due and returns those still waiting.
func (n *Noticer) runDue(queue []job) []job {
	now := n.now()
	var keep []job
	for _, j := range queue {
		if j.due.After(now) {
			keep = append(keep, j)
			continue
		}
		if j.enter != "" {
			// Enter only if nothing opened meanwhile: on a dialog it would
			// answer it.
			if n.d.Hub.TurnEnded(j.enter) {
				_ = n.d.Hub.Input(j.enter, []byte("\r"))
			}
			continue
		}
		keep = append(keep, n.try(j)...)
	}
	return keep
}

// addressed is a new job for every opted-in agent peer m is addressed to.
func (n *Noticer) addressed(m *coord.Message) []job {
	peers, err := n.d.Coord.Peers()
	if err != nil {
		return nil
	}
	var out []job
	for _, p := range peers {
		if !p.NotifyPrompt || p.Session == "" || p.Name == m.From || !coord.AddressedTo(m, p.Name, p.Groups) {
			continue
		}
		out = append(out, job{due: n.now(), peer: p, msg: m})
	}
	return out
}

// try types j's notice if its session waits for input, unless the agent
// has read the message by then; it returns what must run later (a retry,
// or the Enter that follows the notice).
func (n *Noticer) try(j job) []job {
	p, m := j.peer, j.msg
	ss, err := n.d.Store.GetSession(p.Session)
	if err != nil || ss.TerminalOnly || !n.mayDrive(m.From, ss.Node) || !n.mayDrive(p.Name, ss.Node) {
		return nil
	}
	if cur, err := n.d.Coord.Message(coord.Viewer{Peer: p.Name, Groups: p.Groups}, m.ID, false); err != nil || !cur.Receipts[p.Name].ReadAt.IsZero() {
		return nil // read already (or gone): no notice needed
	}
	st := n.d.Hub.State(ss)
	w, _ := n.d.Hub.Wheel(ss.ID)
	if st != hub.StateWaitingInput || !n.d.Hub.TurnEnded(ss.ID) || w.Holder != "" { // busy, asking, or a person is driving
		if st != hub.StateEnded && st != hub.StateOffline && j.tries < int(Wait/Retry) {
			j.tries++
			j.due = n.now().Add(Retry)
			return []job{j}
		}
		return nil
	}
	if err := n.d.Hub.Input(ss.ID, []byte(Line(m))); err != nil {
		n.d.Log.Debug("prompt notice not typed", "session", ss.ID, "error", err)
		return nil
	}
	n.d.Audit.Record("hub", "input.notice", ss.ID+" for "+p.Name+" (message "+m.ID+")", "")
	n.d.Log.Info("prompt notice typed", "session", ss.ID, "peer", p.Name, "message", m.ID)
	return []job{{due: n.now().Add(enterAfter), enter: ss.ID}}
}

// mayDrive reports whether the person who owns peer name may type into
// sessions of machine: a notice is typed input, so it needs the same right.
func (n *Noticer) mayDrive(name, machine string) bool {
	peer, err := n.d.Coord.GetPeer(name)
	if err != nil || peer.Owner == "" {
		return false
	}
	u, err := n.d.Store.GetUser(peer.Owner)
	if err != nil || u.Disabled {
		return false
	}
	return auth.Principal{User: u.Name, Role: u.Role, Grants: u.Grants, Kind: auth.KindSession}.CanDrive(machine)
}

// Line is the typed notice: printable characters only, bounded.
func Line(m *coord.Message) string {
	subj := m.Subject
	if subj == "" {
		subj, _, _ = strings.Cut(m.Body, "\n")
	}
	line := "[ct] new message #" + m.ID + " (" + m.Priority + " " + m.Type + ") from " + m.From + ": " + subj + " - read it with your check_messages tool"
	line = strings.Map(func(r rune) rune {
		if unicode.IsPrint(r) {
			return r
		}
		return ' '
	}, line)
	if len(line) > noticeMax {
		line = line[:noticeMax]
	}
	return line
}
