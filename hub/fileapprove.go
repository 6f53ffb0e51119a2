package hub

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/ct-dev/ct/db"
	"github.com/ct-dev/ct/wire"
)

// Approval per read of a shared file (issue 19 item 3, ct wrap
// --share-approve): the workstation says in session.start that each read
// by another peer needs its person's yes. The hub holds the read as a
// prompt of kind "files" on the sharing session (the approvals page, its
// cards, connectors and pushes show it as any other) and sends files.get
// only once it is allowed; deny, no answer in ShareApproveWait, the wrap
// leaving or the reader giving up close it with a refusal.

// PromptKindFiles is the prompt kind of a read waiting for approval.
const PromptKindFiles = "files"

// DefaultShareApproveWait is how long a read waits for the person: long
// enough to see a push and answer, short enough that an agent is not held.
const DefaultShareApproveWait = 2 * time.Minute

// MaxShareApproveWait caps --share-approve-wait: the API client holds a
// read that long (client.PeerFile).
const MaxShareApproveWait = 5 * time.Minute

// fileApprovals matches an answer to the read waiting for it.
type fileApprovals struct {
	mu   sync.Mutex // guards m and per: reads wait on HTTP goroutines, answers come on others
	m    map[string]chan Decision
	per  map[string]int    // session -> reads waiting, at most maxFileRequests
	sess map[string]string // prompt id -> its session
}

// add registers the read waiting on prompt id of session; false when
// that session already has maxFileRequests reads waiting.
func (a *fileApprovals) add(id, session string, ch chan Decision) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.m == nil {
		a.m, a.per, a.sess = map[string]chan Decision{}, map[string]int{}, map[string]string{}
	}
	if a.per[session] >= maxFileRequests {
		return false
	}
	a.m[id], a.sess[id] = ch, session
	a.per[session]++
	return true
}

// take removes and returns the waiting read of prompt id (nil: none).
func (a *fileApprovals) take(id string) chan Decision {
	a.mu.Lock()
	defer a.mu.Unlock()
	ch, ok := a.m[id]
	if ok {
		s := a.sess[id]
		if a.per[s]--; a.per[s] <= 0 {
			delete(a.per, s)
		}
		delete(a.m, id)
		delete(a.sess, id)
	}
	return ch
}

// ApproveFileRead returns at once when session id's wrap does not ask for
// approval; else it opens a prompt saying that by asks to read path and
// waits for the answer: nil once allowed, a *FileError (refused) when
// denied or unanswered.
func (h *Hub) ApproveFileRead(ctx context.Context, id, path, by string) error {
	c, err := h.fileConn(id)
	if err != nil || !c.files.approve {
		return err
	}
	meta, err := h.store.GetSession(id)
	if err != nil {
		return err
	}
	input, _ := json.Marshal(map[string]string{"question": by + " asks to read " + path, "path": path, "reader": by})
	p := db.Prompt{ID: newPromptID(), SessionID: id, Node: meta.Node, Kind: PromptKindFiles, Tool: "Read shared file",
		Input: input, State: db.PromptPending, CreatedAt: time.Now().UTC()}
	ch := make(chan Decision, 1) // decideFiles sends once and never waits
	if !h.fileOK.add(p.ID, id, ch) {
		return ErrBusy
	}
	defer h.fileOK.take(p.ID)
	if err := h.store.PutPrompt(p); err != nil {
		return err
	}
	h.notify().PromptsChanged(id, p.ID)
	wait := h.opts.ShareApproveWait
	timer := time.NewTimer(wait)
	defer timer.Stop()
	var why error
	select {
	case d := <-ch:
		return answered(d, path)
	case <-timer.C:
		why = &FileError{Reason: wire.ReasonRefused, Msg: fmt.Sprintf("the sharing person did not approve reading %s within %s; ask them to watch for it, then try again", path, wait)}
	case <-c.files.gone:
		why = ErrOffline
	case <-ctx.Done():
		why = ctx.Err()
	}
	if !h.closeFilePrompt(p.ID, "unanswered", why.Error()) {
		// Settled in the same instant: by an answer, which decideFiles
		// sends right after storing it (so a second is plenty), or by the
		// session closing its prompts (nothing comes).
		select {
		case d := <-ch:
			return answered(d, path)
		case <-time.After(time.Second):
		}
	}
	return why
}

// answered is a read's outcome from its person's decision.
func answered(d Decision, path string) error {
	if d.Decision == wire.DecisionAllow {
		return nil
	}
	msg := fmt.Sprintf("%s denied reading %s", d.By, path)
	if d.Message != "" {
		msg += ": " + d.Message // "Deny with message" on the card
	}
	return &FileError{Reason: wire.ReasonRefused, Msg: msg}
}

// decideFiles records a person's answer to a waiting read and hands it
// over; a read no longer waiting (timed out) is ErrSettled.
func (h *Hub) decideFiles(p db.Prompt, d Decision) (db.Prompt, error) {
	ch := h.fileOK.take(p.ID)
	if ch == nil {
		return p, ErrSettled
	}
	q, err := h.recordAnswer(p.ID, d)
	if err == nil {
		ch <- d
	}
	return q, err
}

// closeFilePrompt closes a read's prompt nobody answered; false when it
// was already settled (a person's answer, or the session's end).
func (h *Hub) closeFilePrompt(id, by, detail string) bool {
	p, err := h.store.UpdatePrompt(id, func(p *db.Prompt) error {
		if p.State != db.PromptPending {
			return ErrSettled
		}
		p.State, p.ClosedBy, p.Detail, p.DecidedAt = db.PromptClosed, by, detail, time.Now().UTC()
		return nil
	})
	if err == nil {
		h.notify().PromptsChanged(p.SessionID, p.ID)
	}
	return !errors.Is(err, ErrSettled)
}
