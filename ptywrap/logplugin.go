package ptywrap

import "github.com/ct-dev/ct/wire"

// LogPlugin is a Plugin that also writes to the session's durable log (the
// spool): its events are sequenced, kept until the hub stored them and resent
// after a reconnect. Claude Code's transcript entries travel this way.
type LogPlugin interface {
	// AttachLog hands over the function that appends a sequenced event to
	// the session's log. It never blocks on the network.
	AttachLog(add func(wire.Envelope))
	// Flush is called once the program has exited, before session.end is
	// logged: the plugin appends what it still has.
	Flush()
}

// attachLog connects p to the spool when it is a LogPlugin.
func attachLog(p Plugin, sp *spool) {
	if lp, ok := p.(LogPlugin); ok {
		lp.AttachLog(sp.add)
	}
}

// flushLog lets a LogPlugin append its last events before the session ends.
func flushLog(p Plugin) {
	if lp, ok := p.(LogPlugin); ok {
		lp.Flush()
	}
}
