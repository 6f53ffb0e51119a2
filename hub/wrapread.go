package hub

import (
	"context"
	"errors"
	"fmt"

	"github.com/ct-dev/ct/wire"
)

// readLoop takes sequenced events: duplicates (seq already received) are
// dropped, the rest go to the screen at once and to the writer for the store.
func (c *wrapConn) readLoop(ctx context.Context, t Transport, s *session) error {
	for {
		e, err := t.Read(ctx)
		if err != nil {
			if cause := context.Cause(ctx); cause != nil && !errors.Is(cause, context.Canceled) {
				return cause // replaced, token revoked, store failure: say why
			}
			return err
		}
		if e.Data != nil {
			e.Data = append([]byte(nil), e.Data...) // it aliases the transport's buffer (Transport.Read)
		}
		switch e.Type {
		case wire.TypePtyOutput, wire.TypePtyResize, wire.TypePtyDropped, wire.TypeSessionEnd, wire.TypeTranscriptEntry:
		case wire.TypePromptOpen, wire.TypePromptResult, wire.TypePromptClosed, wire.TypePromptSync, wire.TypeHookEvent, wire.TypeTerminalActive, wire.TypeSessionTail, wire.TypeAttachDone:
			c.handleUnsequenced(s, e)
			continue
		case wire.TypeFilesListed, wire.TypeFilesGot:
			c.fileAnswer(e)
		case wire.TypeGitAnswer:
			c.gitAnswer(e)
			continue
		default:
			c.h.log.Warn("wrap sent an unexpected event", "type", e.Type, "session", c.session)
			continue
		}
		if n := len(e.Payload) + len(e.From) + len(e.NodeID); n > headerLimit(e.Type) {
			// Refused before it counts as received: stored, it would fail its
			// whole batch, and the resends of every event in it would be
			// dropped as duplicates.
			return fmt.Errorf("%s event %d has %d bytes of header fields; the limit is %d", e.Type, e.Seq, n, headerLimit(e.Type))
		}
		ok, err := s.receive(e.Seq, declaredGap(e))
		if err != nil {
			return err // the wrap resends from the last ack on its reconnect
		}
		if !ok {
			continue // a resend of something already received (stored or queued)
		}
		e.SessionID = c.session
		e = c.admit(e)
		e = s.attribute(e)
		s.apply(e)
		select {
		case c.h.writer.in <- e:
		case <-ctx.Done():
			return context.Cause(ctx)
		}
	}
}

// admit applies the ingest limits to e; the first refusal on this
// connection is told to the wrap, which says it at exit.
func (c *wrapConn) admit(e wire.Envelope) wire.Envelope {
	e, why := c.h.ingest.admit(c.node, e)
	if why != nil && c.refused.CompareAndSwap(false, true) {
		c.h.log.Warn("output kept only as its size", "session", c.session, "node", c.node, "reason", why.Reason)
		n, _ := wire.New(wire.TypeIngestRefused, *why)
		n.SessionID = c.session
		_ = c.send(n)
	}
	return e
}

// declaredGap is how many seqs event e may skip: a pty.dropped notice's
// dropped frames but the one whose seq it reuses; nothing for any other.
func declaredGap(e wire.Envelope) uint64 {
	var d wire.Dropped
	if e.Type != wire.TypePtyDropped || e.Decode(&d) != nil || d.Frames < 1 {
		return 0
	}
	return uint64(d.Frames - 1)
}
