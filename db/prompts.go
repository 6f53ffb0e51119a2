package db

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/ct-dev/ct/wire"
	bolt "go.etcd.io/bbolt"
)

// bucketPrompts holds permission prompts: id -> JSON Prompt. Ids sort by
// creation time. bucketPending indexes the pending ones (id -> nothing), so
// finding what waits does not decode the whole history: measured, a full
// scan made each prompt cost ~8 µs per stored prompt (BENCHMARKS.md).
var (
	bucketPrompts = []byte("prompts")
	bucketPending = []byte("prompts_pending")
)

// Prompt states.
const (
	PromptPending = "pending"
	PromptAllowed = "allowed"
	PromptDenied  = "denied"
	PromptClosed  = "closed" // settled without a hub answer (terminal, agent, disconnect)
)

// Prompt is one question an agent asked before using a tool, and its answer.
type Prompt struct {
	ID          string            `json:"id"`
	WrapID      string            `json:"wrap_id"` // the wrap's id for it, unique per session
	SessionID   string            `json:"session_id"`
	Node        string            `json:"node"`
	Kind        string            `json:"kind"` // hook | screen
	Agent       string            `json:"agent,omitempty"`
	Tool        string            `json:"tool"`
	Input       json.RawMessage   `json:"input,omitempty"`
	Suggestions json.RawMessage   `json:"suggestions,omitempty"`
	Mode        string            `json:"mode,omitempty"`
	Cwd         string            `json:"cwd,omitempty"`
	State       string            `json:"state"`
	Decision    string            `json:"decision,omitempty"` // allow | deny (also for terminal answers when known)
	Message     string            `json:"message,omitempty"`
	Scope       string            `json:"scope,omitempty"`
	DecidedBy   string            `json:"decided_by,omitempty"`
	Device      string            `json:"device,omitempty"`    // phone | desktop | api | terminal
	ClosedBy    string            `json:"closed_by,omitempty"` // terminal | agent | disconnected | hub-restart | terminal-only
	Detail      string            `json:"detail,omitempty"`
	CreatedAt   time.Time         `json:"created_at"`
	DecidedAt   time.Time         `json:"decided_at,omitzero"`
	Claim       *PromptClaim      `json:"claim,omitempty"`      // a hub answer on its way to the workstation
	AgentID     string            `json:"agent_id,omitempty"`   // the subagent that asks ("": the main thread)
	AgentType   string            `json:"agent_type,omitempty"` // e.g. "general-purpose"
	Change      *wire.FileChange  `json:"change,omitempty"`     // a file tool's effect, computed on the workstation
	AskedAt     time.Time         `json:"asked_at,omitzero"`    // when the agent asked (the workstation's clock)
	Answers     map[string]string `json:"answers,omitempty"`    // AskUserQuestion: question -> answer given
	PlanMode    string            `json:"plan_mode,omitempty"`  // ExitPlanMode: the mode the plan goes on in
	Policy      *PromptPolicy     `json:"policy,omitempty"`     // the approval rule that matched (nil: none)
}

// DevicePolicy is the Device (and claim Device) of an answer a policy rule
// gave, not a person.
const DevicePolicy = "policy"

// PromptPolicy is what the hub's approval policy said about a prompt.
type PromptPolicy struct {
	Rule    string `json:"rule"`              // the rule's name
	Outcome string `json:"outcome"`           // what the rule says: allow | deny | ask | ask-two
	DryRun  bool   `json:"dry_run,omitempty"` // recorded only; a person was asked
	Skipped string `json:"skipped,omitempty"` // why the rule was not applied (e.g. terminal only)
	Need    int    `json:"need,omitempty"`    // approvals needed (2 for ask-two)
	// Approvals are the people who approved so far (ask-two), in order.
	Approvals []string `json:"approvals,omitempty"`
	// Escalation (from the rule): notify Notify After the prompt opened,
	// deny DenyAfter it. Overdue is set once notified.
	After     time.Duration `json:"after,omitempty"`
	DenyAfter time.Duration `json:"deny_after,omitempty"`
	Notify    string        `json:"notify,omitempty"`
	Message   string        `json:"message,omitempty"` // the rule's message, for an escalation's deny
	Overdue   bool          `json:"overdue,omitempty"`
}

// RuleAnswering reports whether a policy rule's answer is on its way to the
// workstation: the prompt is pending but no person is asked (yet), so the
// lists of waiting prompts leave it out. A claim that lapsed unconfirmed
// no longer hides it.
func (p Prompt) RuleAnswering(now time.Time) bool {
	return p.State == PromptPending && p.Claim != nil && p.Claim.Device == DevicePolicy && now.Before(p.Claim.Until)
}

// PromptClaim is a person's answer sent to the workstation and not yet
// confirmed. While it holds (pending -> deciding), no other hub answer may
// be sent; the workstation's confirmation settles the prompt with what it
// applied, and a claim past Until (no confirmation) may be taken again.
type PromptClaim struct {
	Ref      string            `json:"ref"` // this attempt, echoed by the wrap
	By       string            `json:"by"`
	Device   string            `json:"device,omitempty"`
	Decision string            `json:"decision"`
	Scope    string            `json:"scope,omitempty"`
	Message  string            `json:"message,omitempty"`
	Until    time.Time         `json:"until"`
	Answers  map[string]string `json:"answers,omitempty"`
	PlanMode string            `json:"plan_mode,omitempty"`
}

// Errors of ClaimPrompt.
var (
	ErrNotPending = errors.New("prompt is no longer pending")
	ErrClaimed    = errors.New("prompt is already being answered")
)

// ClaimPrompt is the compare-and-set that lets one hub answer at a time
// reach the workstation: it records c on prompt id if the prompt is pending
// and no live claim holds it. It returns the prompt as it is, with
// ErrNotPending or ErrClaimed (p.Claim says by whom) when refused.
func (s *Store) ClaimPrompt(id string, c PromptClaim, now time.Time) (Prompt, error) {
	var p Prompt
	err := s.bolt.Update(func(tx *bolt.Tx) error {
		var err error
		if p, err = getPrompt(tx, id); err != nil {
			return err
		}
		switch {
		case p.State != PromptPending:
			return ErrNotPending
		case p.Claim != nil && now.Before(p.Claim.Until):
			return ErrClaimed
		}
		p.Claim = &c
		return putPrompt(tx, p)
	})
	return p, err
}

// ReleaseClaim drops the claim ref on prompt id if it still holds it (the
// answer was refused or never confirmed), so another may be sent.
func (s *Store) ReleaseClaim(id, ref string) error {
	return s.bolt.Update(func(tx *bolt.Tx) error {
		p, err := getPrompt(tx, id)
		if err != nil || p.Claim == nil || p.Claim.Ref != ref {
			return err
		}
		p.Claim = nil
		return putPrompt(tx, p)
	})
}

// PutPrompt stores p (new or replaced).
func (s *Store) PutPrompt(p Prompt) error {
	return s.bolt.Update(func(tx *bolt.Tx) error { return putPrompt(tx, p) })
}

// UpdatePrompt applies fn to prompt id inside one transaction and stores the
// result; fn's error aborts the change.
func (s *Store) UpdatePrompt(id string, fn func(*Prompt) error) (Prompt, error) {
	var p Prompt
	err := s.bolt.Update(func(tx *bolt.Tx) error {
		var err error
		if p, err = getPrompt(tx, id); err != nil {
			return err
		}
		if err := fn(&p); err != nil {
			return err
		}
		return putPrompt(tx, p)
	})
	return p, err
}

// GetPrompt returns one prompt or ErrNotFound.
func (s *Store) GetPrompt(id string) (Prompt, error) {
	var p Prompt
	err := s.bolt.View(func(tx *bolt.Tx) error {
		var err error
		p, err = getPrompt(tx, id)
		return err
	})
	return p, err
}

// PromptFilter selects prompts; empty fields match everything.
type PromptFilter struct {
	State     string // pending | allowed | denied | closed | "decided" (not pending)
	SessionID string
	Node      string
	Tool      string
	Limit     int             // 0: no limit
	KeepWraps map[string]bool // wrap ids that do not match (a wrap's still-open questions)
	// WithRuled keeps pending prompts a rule is answering (RuleAnswering),
	// which a person is not asked and the waiting lists leave out.
	WithRuled bool
}

func (f PromptFilter) match(p Prompt) bool {
	switch {
	case f.State == "decided" && p.State == PromptPending,
		f.State != "" && f.State != "decided" && p.State != f.State,
		f.SessionID != "" && p.SessionID != f.SessionID,
		f.Node != "" && p.Node != f.Node,
		f.Tool != "" && p.Tool != f.Tool,
		f.KeepWraps[p.WrapID],
		f.State == PromptPending && !f.WithRuled && p.RuleAnswering(time.Now()):
		return false
	}
	return true
}

// Prompts lists prompts matching f, newest first.
func (s *Store) Prompts(f PromptFilter) ([]Prompt, error) {
	var out []Prompt
	err := s.bolt.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketPrompts)
		if b == nil {
			return nil
		}
		if idx := tx.Bucket(bucketPending); f.State == PromptPending && idx != nil {
			c := idx.Cursor()
			for k, _ := c.Last(); k != nil; k, _ = c.Prev() {
				var p Prompt
				if v := b.Get(k); v == nil || json.Unmarshal(v, &p) != nil || !f.match(p) {
					continue
				}
				out = append(out, p)
				if f.Limit > 0 && len(out) >= f.Limit {
					return nil
				}
			}
			return nil
		}
		c := b.Cursor()
		for k, v := c.Last(); k != nil; k, v = c.Prev() {
			var p Prompt
			if err := json.Unmarshal(v, &p); err != nil {
				return fmt.Errorf("decode prompt %s: %w", k, err)
			}
			if f.match(p) {
				out = append(out, p)
				if f.Limit > 0 && len(out) >= f.Limit {
					return nil
				}
			}
		}
		return nil
	})
	sort.SliceStable(out, func(i, j int) bool { return out[i].ID > out[j].ID })
	return out, err
}

// ClosePending closes every pending prompt matching f with the given reason
// and returns the ones it closed.
func (s *Store) ClosePending(f PromptFilter, closedBy, detail string) ([]Prompt, error) {
	f.State, f.WithRuled = PromptPending, true
	var closed []Prompt
	err := s.bolt.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketPrompts)
		if b == nil {
			return nil
		}
		var todo []Prompt
		err := b.ForEach(func(_, v []byte) error {
			var p Prompt
			if err := json.Unmarshal(v, &p); err != nil {
				return err
			}
			if f.match(p) {
				todo = append(todo, p)
			}
			return nil
		})
		if err != nil {
			return err
		}
		now := time.Now().UTC()
		for _, p := range todo { // written after the scan: no Put inside ForEach
			p.State, p.ClosedBy, p.Detail, p.DecidedAt = PromptClosed, closedBy, detail, now
			if err := putPrompt(tx, p); err != nil {
				return err
			}
			closed = append(closed, p)
		}
		return nil
	})
	return closed, err
}

func getPrompt(tx *bolt.Tx, id string) (Prompt, error) {
	var p Prompt
	b := tx.Bucket(bucketPrompts)
	if b == nil {
		return p, ErrNotFound
	}
	v := b.Get([]byte(id))
	if v == nil {
		return p, ErrNotFound
	}
	if err := json.Unmarshal(v, &p); err != nil {
		return p, fmt.Errorf("decode prompt %s: %w", id, err)
	}
	return p, nil
}

func putPrompt(tx *bolt.Tx, p Prompt) error {
	b, err := tx.CreateBucketIfNotExists(bucketPrompts)
	if err != nil {
		return err
	}
	idx, err := tx.CreateBucketIfNotExists(bucketPending)
	if err != nil {
		return err
	}
	if p.State != PromptPending {
		p.Claim = nil // settled: nothing is on its way any more
	}
	v, err := json.Marshal(p)
	if err != nil {
		return fmt.Errorf("encode prompt: %w", err)
	}
	if p.State == PromptPending {
		err = idx.Put([]byte(p.ID), nil)
	} else {
		err = idx.Delete([]byte(p.ID))
	}
	if err != nil {
		return err
	}
	return b.Put([]byte(p.ID), v)
}

// ensurePendingIndex builds the pending index of a store written before it
// existed (derived data: no schema change).
func (s *Store) ensurePendingIndex() error {
	return s.bolt.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketPrompts)
		if b == nil || tx.Bucket(bucketPending) != nil {
			return nil
		}
		idx, err := tx.CreateBucket(bucketPending)
		if err != nil {
			return err
		}
		return b.ForEach(func(k, v []byte) error {
			var p Prompt
			if json.Unmarshal(v, &p) == nil && p.State == PromptPending {
				return idx.Put(append([]byte(nil), k...), nil)
			}
			return nil
		})
	})
}

// SetTerminalOnly switches whether a session's prompts are answered only at
// its terminal.
func (s *Store) SetTerminalOnly(id string, on bool) (Session, error) {
	var out Session
	err := s.bolt.Update(func(tx *bolt.Tx) error {
		cur, err := getSession(tx, id)
		if err != nil {
			return err
		}
		cur.TerminalOnly = on
		out = cur
		return putSession(tx, cur)
	})
	return out, err
}
