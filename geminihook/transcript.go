package geminihook

import (
	"encoding/json"

	"github.com/ct-dev/ct/claudehook"
	"github.com/ct-dev/ct/ptywrap"
	"github.com/ct-dev/ct/wire"
)

var _ ptywrap.LogPlugin = (*Bridge)(nil)

// AttachLog implements ptywrap.LogPlugin: add appends a sequenced event to
// the session's log (the wrap's spool keeps it until the hub has stored
// it, across reconnects). Transcript entries go there.
func (b *Bridge) AttachLog(add func(wire.Envelope)) {
	b.mu.Lock()
	b.addLog = add
	b.mu.Unlock()
}

// Flush implements ptywrap.LogPlugin: Gemini exited, so its chat recording
// is complete; read the rest before the session's end is logged.
func (b *Bridge) Flush() {
	b.mu.Lock()
	t := b.tail
	b.mu.Unlock()
	if t != nil {
		t.Poll()
	}
}

// followTranscript points the tailer at the chat recording a hook payload
// names and reads it now: a hook marks a step (prompt sent, tool run, turn
// ended), so its entries show at once.
func (b *Bridge) followTranscript(payload json.RawMessage) {
	var p struct {
		Path string `json:"transcript_path"`
	}
	if json.Unmarshal(payload, &p) != nil || p.Path == "" {
		return
	}
	b.mu.Lock()
	if b.tail == nil {
		// The tailer handles a half-written last line (kept until its
		// newline) and a file that shrank (read again from the start; Chat
		// emits nothing twice).
		b.tail = claudehook.NewTailerWith(NewChat(), b.logEntry)
	}
	t := b.tail
	b.mu.Unlock()
	t.Follow(p.Path)
}

// logEntry appends one transcript entry to the session's log.
func (b *Bridge) logEntry(en wire.TranscriptEntry) {
	b.mu.Lock()
	add := b.addLog
	b.mu.Unlock()
	if add == nil {
		return
	}
	if e, err := claudehook.EntryEnvelope(en); err == nil {
		add(e)
	}
}

// closeTranscript reads the chat recording one last time and stops
// following it.
func (b *Bridge) closeTranscript() {
	b.mu.Lock()
	t := b.tail
	b.mu.Unlock()
	if t != nil {
		t.Close()
	}
}
