package claudehook

import (
	"encoding/json"

	"github.com/ct-dev/ct/ptywrap"
	"github.com/ct-dev/ct/wire"
)

var _ ptywrap.LogPlugin = (*Bridge)(nil)

// AttachLog implements ptywrap.LogPlugin: add appends a sequenced event to
// the session's log (the wrap's spool), which keeps it until the hub has
// stored it, across reconnects. Transcript entries go there.
func (b *Bridge) AttachLog(add func(wire.Envelope)) {
	b.mu.Lock()
	b.addLog = add
	b.mu.Unlock()
}

// followTranscript starts (or re-points) the transcript tailer at the file a
// hook payload names, and polls it now: a hook marks a step boundary
// (prompt submitted, tool used, turn stopped), so its entries show at once.
func (b *Bridge) followTranscript(payload json.RawMessage) {
	path := transcriptPath(payload)
	if path == "" {
		return
	}
	b.mu.Lock()
	if b.tail == nil {
		b.tail = NewTailerWith(b.opts.parser(), b.logEntry)
	}
	t := b.tail
	b.mu.Unlock()
	t.Follow(path)
}

// logEntry appends one transcript entry to the session's log.
func (b *Bridge) logEntry(en wire.TranscriptEntry) {
	b.mu.Lock()
	add := b.addLog
	b.mu.Unlock()
	if add == nil {
		return
	}
	e, err := entryEnvelope(en)
	if err != nil {
		return
	}
	add(e)
}

// EntryEnvelope is the transcript.entry envelope for en, bounded like
// every entry a Bridge sends (other agents' bridges use it).
func EntryEnvelope(en wire.TranscriptEntry) (wire.Envelope, error) { return entryEnvelope(en) }

// entryEnvelope encodes en, shortening its text until the payload fits
// maxEntryOutput (JSON escaping can make text several times longer).
func entryEnvelope(en wire.TranscriptEntry) (wire.Envelope, error) {
	for {
		e, err := wire.New(wire.TypeTranscriptEntry, en)
		if err != nil || len(e.Payload) <= maxEntryOutput {
			return e, err
		}
		small := en.Change == nil || len(en.Change.Diff) <= 256
		switch {
		case len(en.Text) > 64:
			en.Text = Cut(en.Text, len(en.Text)/2)
		case en.Input != nil:
			en.Input = nil
		case !small: // a diff of characters JSON escapes six times over
			c := *en.Change
			c.Diff = Cut(c.Diff, len(c.Diff)/2) + "\n@@ … the rest of this diff is too long to show @@\n"
			en.Change = &c
		}
		if len(en.Text) <= 64 && en.Input == nil && small {
			return wire.New(wire.TypeTranscriptEntry, en)
		}
	}
}

// closeTranscript reads the transcript one last time and stops following it.
func (b *Bridge) closeTranscript() {
	b.mu.Lock()
	t := b.tail
	b.mu.Unlock()
	if t != nil {
		t.Close()
	}
}

// Flush implements ptywrap.LogPlugin: Claude Code exited, so its transcript
// is complete; read the rest before the session's end is logged.
func (b *Bridge) Flush() {
	b.mu.Lock()
	t := b.tail
	b.mu.Unlock()
	if t != nil {
		t.Poll()
	}
}
