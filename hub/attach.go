package hub

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ct-dev/ct/wire"
)

// attachWait bounds how long the hub waits for a wrap to write an
// attachment: a healthy workstation takes well under a second for 10 MB;
// one that never answers must not hold the person's request forever.
const attachWait = 30 * time.Second

// attachQueueWait is how long one chunk may wait for room in the wrap's
// outbound queue (input and chunks share it).
const attachQueueWait = 5 * time.Second

// ErrAttachFailed wraps the workstation's refusal of an attachment.
var ErrAttachFailed = errors.New("the workstation did not take the attachment")

// Deliver sends an attachment to session id's wrap, which writes it into
// the session's private folder; it returns the file's path there. Like
// InputAs, only the wheel holder may (a free wheel is taken).
func (h *Hub) Deliver(ctx context.Context, id, user, attID, name string, data []byte) (string, error) {
	if len(data) == 0 || len(data) > wire.MaxAttach {
		return "", fmt.Errorf("an attachment is 1-%d bytes; this one is %d", wire.MaxAttach, len(data))
	}
	s, took, err := h.drive(id, user)
	if err != nil {
		return "", err
	}
	h.tookWheel(id, user, took)
	s.mu.Lock()
	c := s.conn
	done := make(chan wire.AttachDone, 1) // one answer; never blocks the read loop
	if s.attachAt == nil {
		s.attachAt = map[string]chan wire.AttachDone{}
	}
	s.attachAt[attID] = done
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.attachAt, attID)
		s.mu.Unlock()
	}()
	if c == nil {
		return "", ErrOffline
	}
	for off := 0; off < len(data); off += wire.AttachChunk {
		end := min(off+wire.AttachChunk, len(data))
		e, _ := wire.New(wire.TypeAttachPut, wire.AttachPut{ID: attID, Name: wire.AttachName(name), Size: int64(len(data)), Off: int64(off)})
		e.SessionID, e.Data = id, data[off:end]
		if err := c.sendWait(e, attachQueueWait); err != nil {
			return "", err
		}
	}
	t := time.NewTimer(attachWait)
	defer t.Stop()
	select {
	case d := <-done:
		if d.Error != "" || d.Path == "" {
			return "", fmt.Errorf("%w: %s", ErrAttachFailed, d.Error)
		}
		return d.Path, nil
	case <-t.C:
		return "", fmt.Errorf("%w: it did not answer within %s; check that its ct wrap is up to date and connected, then send again", ErrAttachFailed, attachWait)
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

// attachDone hands the wrap's answer to the Deliver waiting for it; an
// answer nobody waits for (it timed out) is dropped.
func (s *session) attachDone(d wire.AttachDone) {
	s.mu.Lock()
	ch := s.attachAt[d.ID]
	s.mu.Unlock()
	if ch != nil {
		select {
		case ch <- d:
		default:
		}
	}
}
