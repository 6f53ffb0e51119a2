package ptywrap

import (
	"time"

	"github.com/ct-dev/ct/wire"
)

// Plugin extends a wrapped session with agent-specific behaviour (Claude Code
// hooks and approvals). Its methods must not block: they are called from the
// connection's goroutines and the local keyboard path.
type Plugin interface {
	// Attach hands over the function that sends an unsequenced envelope to
	// the hub; it reports false when the hub is not connected.
	Attach(send func(wire.Envelope) bool)
	// Connected reports connection changes (false: every open question must
	// fall back to the agent's own terminal dialog).
	Connected(up bool)
	// HubEnvelope receives envelopes from the hub that ptywrap does not handle.
	HubEnvelope(e wire.Envelope)
	// LocalInput sees every chunk typed at the local terminal before the
	// program does and returns what the program should get.
	LocalInput(p []byte) []byte
}

// localTyping tells the hub, at most once a second, that someone is typing
// at the workstation's own keyboard (the bytes themselves stay local).
func (st *streamer) localTyping() {
	st.mu.Lock()
	now := time.Now()
	due := now.Sub(st.lastTyping) >= time.Second
	if due {
		st.lastTyping = now
	}
	st.mu.Unlock()
	if due {
		e, _ := wire.New(wire.TypeTerminalActive, nil)
		st.sendUrgent(e)
	}
}

// urgentQueue bounds unsequenced envelopes waiting to be sent.
const urgentQueue = 64

// sendUrgent queues an unsequenced envelope ahead of spooled output; false
// when not connected or the queue is full.
func (st *streamer) sendUrgent(e wire.Envelope) bool {
	st.mu.Lock()
	up := st.connected
	st.mu.Unlock()
	if !up {
		return false
	}
	select {
	case st.urgent <- e:
		return true
	default:
		return false
	}
}

// TypingPlugin is a Plugin that types into the program itself: Gemini's
// adapter answers Gemini's own dialog with the key a hub allow stands for,
// once it has seen the dialog on screen. The typer queues like hub input
// and reports false when the queue is full.
type TypingPlugin interface {
	SetTyper(typeIn func(p []byte) bool)
}

// typer is what a TypingPlugin gets: a non-blocking send to the queue of
// input for the program (the output path calls it and must not wait).
func (s *session) typer(p []byte) bool {
	return s.inputs.push(p)
}
