package hub

import (
	"time"

	"github.com/ct-dev/ct/wire"
)

// byWindow is how far back the input that sent a prompt may lie: a prompt
// is typed and submitted within it.
const byWindow = 10 * time.Minute

// attribute sets who sent a user prompt entry, from what the hub saw: the
// last input before it came from a person through the hub, or from the
// workstation's keyboard. The wrap cannot tell (it sees only bytes), and
// pages would otherwise show "You" whoever typed.
func (s *session) attribute(e wire.Envelope) wire.Envelope {
	if e.Type != wire.TypeTranscriptEntry {
		return e
	}
	var te wire.TranscriptEntry
	if e.Decode(&te) != nil || te.Kind != wire.EntryUser {
		return e
	}
	s.mu.Lock()
	w := s.wheelLocked()
	hubAt, by, termAt := w.lastInput, w.lastBy, w.terminalAt
	s.mu.Unlock()
	now := time.Now()
	switch {
	case by != "" && hubAt.After(termAt) && now.Sub(hubAt) < byWindow:
		te.By = by + " from the hub"
	case !termAt.IsZero() && now.Sub(termAt) < byWindow:
		te.By = "at the terminal"
	default:
		te.By = ""
	}
	out, err := wire.New(wire.TypeTranscriptEntry, te)
	if err != nil {
		return e
	}
	out.Seq, out.SessionID, out.TS, out.From, out.NodeID = e.Seq, e.SessionID, e.TS, e.From, e.NodeID
	return out
}
