package hub

import "github.com/ct-dev/ct/wire"

// transcriptHeaderLimit bounds a transcript.entry's payload: an agent's reply
// is longer than any other sequenced event's header (the wrap cuts entries at
// 48 KiB), and still far inside wire.MaxHeader once the hub adds its fields.
const transcriptHeaderLimit = 64 << 10

// headerLimit is the most header bytes a sequenced event of type t may carry.
func headerLimit(t string) int {
	if t == wire.TypeTranscriptEntry {
		return transcriptHeaderLimit
	}
	return maxEventHeader
}

// transcriptCommitted tells the listener about the transcript entries of a
// stored batch, in order.
func (h *Hub) transcriptCommitted(batch []wire.Envelope) {
	l := h.notify()
	for _, e := range batch {
		if e.Type != wire.TypeTranscriptEntry {
			continue
		}
		var en wire.TranscriptEntry
		if e.Decode(&en) == nil {
			l.TranscriptAdded(e.SessionID, e.Seq, en)
		}
	}
}
