package ptywrap

import (
	"os"
	"time"

	"github.com/ct-dev/ct/wire"
)

// Grace bounds for session.stop: a grace outside them is clamped, so a
// hostile or broken hub cannot keep a program "stopping" forever or kill
// it without a chance to save.
const (
	minStopGrace = 100 * time.Millisecond
	maxStopGrace = 5 * time.Minute
)

// askStop queues a stop asked on the hub; a second one while the first
// is queued is dropped (the first already ends the program).
func (s *session) askStop(m wire.SessionStop) {
	select {
	case s.stop <- m:
	default:
	}
}

// terminate ends the program as a person asked from the hub: SIGTERM at
// once (it may save and exit cleanly), SIGKILL if it is still running
// after the grace. The wrap keeps the timer, not the hub, so the program
// is ended even if the hub goes away meanwhile.
func (s *session) terminate(m wire.SessionStop) {
	grace := min(max(time.Duration(m.GraceMS)*time.Millisecond, minStopGrace), maxStopGrace)
	s.signal(terminateSignal())
	t := time.NewTimer(grace)
	defer t.Stop()
	select {
	case <-s.exited:
	case <-t.C:
		s.signal(os.Kill)
	}
}
