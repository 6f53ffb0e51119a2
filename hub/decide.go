package hub

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/ct-dev/ct/db"
	"github.com/ct-dev/ct/wire"
)

// Errors of Decide, besides the session errors in hub.go.
var (
	// ErrSettled is returned (wrapped, with who settled it) when an answer
	// comes after the question was already settled.
	ErrSettled = errors.New("this question was already settled")
	// ErrBeingAnswered is returned (wrapped, with who) while another
	// person's answer is on its way to the workstation.
	ErrBeingAnswered = errors.New("this question is already being answered")
	// ErrTerminalOnly is returned for a session set to answer at its
	// terminal only.
	ErrTerminalOnly = errors.New("this session answers its questions at the terminal only; turn \"terminal only\" off on its page to answer from the hub")
)

// decideWait bounds how long a person's answer waits for the workstation to
// confirm it won; past that the answer is refused and the dialog stands.
const decideWait = 5 * time.Second

// claimSlack keeps a claim alive a little past decideWait, so a claim never
// lapses while its Decide still waits for the confirmation.
const claimSlack = time.Second

// promptWaits tracks, per question, the one hub answer awaiting the wrap's
// prompt.result (the store's claim makes it one at a time).
type promptWaits struct {
	mu      sync.Mutex
	results map[string]promptWait // wrap prompt id -> the waiting Decide
}

type promptWait struct {
	ref string       // the claim the answer was sent under
	ch  chan decided // cap 1: the read loop never blocks on it
}

type decided struct {
	p       db.Prompt
	err     error
	refused bool // the wrap said the question is not open there: it must not stay pending
}

// Decision is a person's answer to a prompt.
type Decision struct {
	Decision string // allow | deny
	Message  string // to the agent, with deny
	Scope    string // once | session
	By       string // who answered
	Device   string // phone | desktop | api
	// Answers are AskUserQuestion's answers (question text -> answer);
	// PlanMode is the mode an approved ExitPlanMode plan goes on in.
	Answers  map[string]string
	PlanMode string
	// Person is the account answering (By says from where): a two-person
	// rule needs two different ones ("": By).
	Person string
	// OnBehalfOf is the chat user a connector answered for ("alice"), as
	// the connector says: shown in By and the audit ("alice via
	// telegram"), never an identity (Person stays the connector's account).
	OnBehalfOf string
}

// MaxOnBehalfOf bounds Decision.OnBehalfOf, in bytes.
const MaxOnBehalfOf = 128

// validOnBehalfOf checks a connector's name for its chat user: plain text
// on one line, so it cannot forge another line of an outcome or the audit.
func validOnBehalfOf(s string) error {
	if len(s) > MaxOnBehalfOf {
		return fmt.Errorf("on_behalf_of is over %d bytes; send a shorter name", MaxOnBehalfOf)
	}
	if !utf8.ValidString(s) || strings.IndexFunc(s, func(r rune) bool { return unicode.IsControl(r) || r == '\u2028' || r == '\u2029' }) >= 0 {
		return errors.New("on_behalf_of must be plain text on one line (no control characters)")
	}
	if s != strings.TrimSpace(s) {
		return errors.New("on_behalf_of must not start or end with spaces")
	}
	return nil
}

// Bounds on an AskUserQuestion answer (Claude Code asks 1-4 questions).
const (
	maxAnswers     = 8
	maxAnswerBytes = 4096
)

// Validate checks a decision's fields.
func (d Decision) Validate() error {
	if d.Decision != wire.DecisionAllow && d.Decision != wire.DecisionDeny {
		return fmt.Errorf(`decision must be "allow" or "deny", not %q`, d.Decision)
	}
	if err := validOnBehalfOf(d.OnBehalfOf); err != nil {
		return err
	}
	if d.Scope != "" && d.Scope != "once" && d.Scope != "session" {
		return fmt.Errorf(`scope must be "once" or "session", not %q`, d.Scope)
	}
	if d.Scope == "session" && d.Decision != wire.DecisionAllow {
		return errors.New(`scope "session" goes with "allow" only`)
	}
	if len(d.Message) > 4096 {
		return errors.New("message is over 4096 characters")
	}
	if len(d.Answers) > maxAnswers {
		return fmt.Errorf("%d answers; at most %d", len(d.Answers), maxAnswers)
	}
	for q, a := range d.Answers {
		if len(q) > maxAnswerBytes || len(a) > maxAnswerBytes || a == "" {
			return fmt.Errorf("each answer must be 1 to %d characters, and so must its question", maxAnswerBytes)
		}
	}
	if (len(d.Answers) > 0 || d.PlanMode != "") && d.Decision != wire.DecisionAllow {
		return errors.New("answers and a plan mode go with \"allow\" only")
	}
	if d.PlanMode != "" && d.PlanMode != "default" && d.PlanMode != "acceptEdits" {
		return fmt.Errorf(`plan mode must be "default" or "acceptEdits", not %q`, d.PlanMode)
	}
	return nil
}

func newRef() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// Decide delivers a person's answer. It first claims the prompt in the store
// (pending -> deciding: one answer at a time; a second gets
// ErrBeingAnswered), then returns only once the workstation has confirmed
// what it applied, which is what is recorded; or with ErrSettled when the
// question had already been answered elsewhere.
func (h *Hub) Decide(ctx context.Context, promptID string, d Decision) (db.Prompt, error) {
	if err := d.Validate(); err != nil {
		return db.Prompt{}, err
	}
	p, err := h.store.GetPrompt(promptID)
	if err != nil {
		return p, err
	}
	if p.State != db.PromptPending {
		return p, fmt.Errorf("%w: %s", ErrSettled, settledBy(p))
	}
	if meta, err := h.store.GetSession(p.SessionID); err == nil && meta.TerminalOnly {
		return p, ErrTerminalOnly
	}
	ref := newRef()
	if err := fitsPrompt(p, d); err != nil {
		return p, err
	}
	if q, held, err := h.approveFirst(p, d); held || err != nil {
		return q, err // one approval of two: the question stays open
	}
	claim := db.PromptClaim{Ref: ref, By: d.By, Device: d.Device, Decision: d.Decision, Scope: d.Scope, Message: d.Message,
		Answers: d.Answers, PlanMode: d.PlanMode, Until: time.Now().Add(decideWait + claimSlack)}
	p, err = h.store.ClaimPrompt(promptID, claim, time.Now())
	switch {
	case errors.Is(err, db.ErrNotPending):
		return p, fmt.Errorf("%w: %s", ErrSettled, settledBy(p))
	case errors.Is(err, db.ErrClaimed):
		return p, fmt.Errorf("%w by %s", ErrBeingAnswered, p.Claim.By)
	case err != nil:
		return p, err
	}
	var res decided
	switch {
	case p.Kind == "screen":
		res.p, res.err = h.decideScreen(p, d)
	case p.Kind == PromptKindFiles:
		res.p, res.err = h.decideFiles(p, d)
	default:
		res = h.decideHook(ctx, p, d, ref)
	}
	if res.err != nil {
		_ = h.store.ReleaseClaim(promptID, ref)
		if res.refused {
			h.closeRefused(promptID, res.err)
		}
		if errors.Is(res.err, ErrSettled) {
			if cur, err := h.store.GetPrompt(promptID); err == nil && cur.State != db.PromptPending {
				return cur, fmt.Errorf("%w: %s", ErrSettled, settledBy(cur))
			}
		}
		return res.p, res.err
	}
	h.log.Info("prompt decided", "prompt", res.p.ID, "decision", res.p.Decision, "by", res.p.DecidedBy, "device", res.p.Device)
	h.notify().PromptsChanged(res.p.SessionID, res.p.ID)
	return res.p, nil
}

// decideHook sends the claimed answer to the wrap and waits for its
// prompt.result, which promptResult has already recorded.
func (h *Hub) decideHook(ctx context.Context, p db.Prompt, d Decision, ref string) decided {
	s, err := h.load(p.SessionID)
	if err != nil {
		return decided{p: p, err: err}
	}
	s.mu.Lock()
	c := s.conn
	s.mu.Unlock()
	if c == nil {
		return decided{p: p, err: ErrOffline}
	}
	ch := make(chan decided, 1)
	c.waits.mu.Lock()
	c.waits.results[p.WrapID] = promptWait{ref: ref, ch: ch}
	c.waits.mu.Unlock()
	defer func() {
		c.waits.mu.Lock()
		if w, ok := c.waits.results[p.WrapID]; ok && w.ref == ref {
			delete(c.waits.results, p.WrapID)
		}
		c.waits.mu.Unlock()
	}()
	e, _ := wire.New(wire.TypePromptDecide, wire.PromptDecide{ID: p.WrapID, Ref: ref, Decision: d.Decision, Message: d.Message,
		Scope: d.Scope, By: d.By, Answers: d.Answers, PlanMode: d.PlanMode})
	e.SessionID = p.SessionID
	if err := c.send(e); err != nil {
		return decided{p: p, err: err}
	}
	select {
	case res := <-ch:
		return res
	case <-time.After(decideWait):
		return decided{p: p, err: fmt.Errorf("%w: the workstation did not confirm in time; answer at the terminal", ErrSettled)}
	case <-ctx.Done():
		return decided{p: p, err: ctx.Err()}
	}
}

// promptResult takes a wrap's prompt.result: an accepted answer is recorded
// as the wrap says it applied it, whether or not its Decide still waits (a
// confirmation that comes late is still the truth), then handed to the
// Decide that sent it.
func (h *Hub) promptResult(c *wrapConn, s *session, r wire.PromptResult) {
	out := decided{err: fmt.Errorf("%w: %s", ErrSettled, r.Reason), refused: !r.Accepted && !r.Invalid}
	if r.Accepted {
		out.p, out.err = h.recordApplied(s, r)
		if out.err != nil {
			h.log.Warn("prompt result not recorded", "session", c.session, "prompt", r.ID, "error", out.err)
		}
	}
	c.waits.mu.Lock()
	w, ok := c.waits.results[r.ID]
	ok = ok && (r.Ref == "" || r.Ref == w.ref) // "": a wrap that does not echo
	if ok {
		delete(c.waits.results, r.ID)
	}
	c.waits.mu.Unlock()
	if ok {
		w.ch <- out
	}
}

// recordApplied settles a prompt with the answer the wrap confirmed.
func (h *Hub) recordApplied(s *session, r wire.PromptResult) (db.Prompt, error) {
	id := s.hubPromptID(r.ID)
	if id == "" {
		return db.Prompt{}, fmt.Errorf("no prompt %q on this session", r.ID)
	}
	return h.store.UpdatePrompt(id, func(p *db.Prompt) error {
		if p.State != db.PromptPending {
			return ErrSettled
		}
		cl := p.Claim
		ours := cl != nil && (r.Ref == "" || r.Ref == cl.Ref)
		dec, by, scope, msg, answers, mode := r.Decision, r.By, r.Scope, r.Message, r.Answers, r.PlanMode
		if dec == "" && ours { // a wrap that does not echo applied what was sent
			dec, by, scope, msg, answers, mode = cl.Decision, cl.By, cl.Scope, cl.Message, cl.Answers, cl.PlanMode
		}
		if dec != wire.DecisionAllow && dec != wire.DecisionDeny {
			return fmt.Errorf("the wrap confirmed an answer %q that is neither allow nor deny", dec)
		}
		p.Decision, p.DecidedBy, p.Scope, p.Message, p.DecidedAt = dec, by, scope, msg, time.Now().UTC()
		p.Answers, p.PlanMode = answers, mode
		if ours {
			p.Device = cl.Device
		}
		p.State = db.PromptAllowed
		if dec == wire.DecisionDeny {
			p.State = db.PromptDenied
		}
		return nil
	})
}
