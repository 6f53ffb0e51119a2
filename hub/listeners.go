package hub

import "github.com/ct-dev/ct/wire"

// Listeners tells each of its listeners, in order, about every change.
type Listeners []Listener

// ScreenChanged implements Listener.
func (ls Listeners) ScreenChanged(sessionID string, u ScreenUpdate) {
	for _, l := range ls {
		l.ScreenChanged(sessionID, u)
	}
}

// LobbyChanged implements Listener.
func (ls Listeners) LobbyChanged() {
	for _, l := range ls {
		l.LobbyChanged()
	}
}

// PromptsChanged implements Listener.
func (ls Listeners) PromptsChanged(sessionID, promptID string) {
	for _, l := range ls {
		l.PromptsChanged(sessionID, promptID)
	}
}

// WheelChanged implements Listener.
func (ls Listeners) WheelChanged(sessionID string) {
	for _, l := range ls {
		l.WheelChanged(sessionID)
	}
}

// TranscriptAdded implements Listener.
func (ls Listeners) TranscriptAdded(sessionID string, seq uint64, entry wire.TranscriptEntry) {
	for _, l := range ls {
		l.TranscriptAdded(sessionID, seq, entry)
	}
}

// NopListener ignores every change. Embed it in a listener that cares about
// only some of them.
type NopListener struct{}

// ScreenChanged implements Listener.
func (NopListener) ScreenChanged(string, ScreenUpdate) {}

// LobbyChanged implements Listener.
func (NopListener) LobbyChanged() {}

// PromptsChanged implements Listener.
func (NopListener) PromptsChanged(string, string) {}

// WheelChanged implements Listener.
func (NopListener) WheelChanged(string) {}

// TranscriptAdded implements Listener.
func (NopListener) TranscriptAdded(string, uint64, wire.TranscriptEntry) {}

// Auditor keeps the audit log of what the hub itself decides (the wheel's
// hand-overs). Record is called on the wheel's request paths and should
// return quickly (queue the entry).
type Auditor interface {
	// Record logs actor doing action on subject; addr is where it came
	// from ("" for the hub's own decisions).
	Record(actor, action, subject, addr string)
}

type nopAuditor struct{}

func (nopAuditor) Record(string, string, string, string) {}
