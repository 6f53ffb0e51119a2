package hub

import (
	"bytes"
	"time"
)

// Pacing the emulator during a flood (issue 17.2). Frames go out at most
// ~20 a second in a flood; feeding the emulator every arriving frame in
// between only makes screens nobody sees, and the emulator is most of the
// hub's CPU. So once a feed finds a flood (at least floodTail bytes
// waiting), the next feed waits until feedEvery after it, and what piles up
// meanwhile is cut to its newest bytes (cutFlood, trimPending) with the
// skipped lines counted exactly. Small output (a shell, an agent's UI), a
// keystroke's echo and a watcher owed the whole screen are fed at once, as
// before.

// feedEvery is the pace of a flood's feeds: the throttle's frame rate.
const feedEvery = time.Second / frameRate

// feedWait is how long the worker may leave pending output unfed: until
// feedEvery after the last feed while a flood goes on, or 0 when it must
// feed now.
func (s *session) feedWait(now time.Time) time.Duration {
	s.mu.Lock()
	urgent := s.full || s.resync || s.typed > 0 || len(s.pending) == 0
	s.mu.Unlock()
	if urgent || !s.flooding {
		return 0
	}
	return max(0, feedEvery-now.Sub(s.fedAt))
}

// floodTail is what a deferred feed emulates of a main-screen flood: the
// newest 16 KiB (a few hundred lines) per feed; at least that much waiting
// is what makes a feed a flood's. What scrolls on the main
// screen is whole lines, and a frame shows only the last screenful of them
// and the history since the previous frame, which gets a gap marker for the
// rest; 20 frames a second of it cost the emulator ~3% of what the flood
// would. A full-screen app (the alternate screen) redraws by differences,
// which a cut would garble, so it keeps keepTail as before.
const floodTail = 16 << 10

// trimPending cuts the oldest pending output once the queue holds more than
// over bytes, down to its newest keep bytes (ending the cut at a line's end
// when one is near, so the screen resumes at a line's start), so an unfed
// flood costs neither memory nor emulation. Resizes stay, in order; each
// cut op keeps the count of the lines and bytes it lost, which feed reports
// to the screen (Screen.Skip) when it reaches the op, where they were.
// Called with s.mu held.
func (s *session) trimPending(over, keep int) {
	if s.backlog <= over {
		return
	}
	cut := s.backlog - keep
	for i := range s.pending {
		op := &s.pending[i]
		if cut <= 0 {
			break
		}
		if op.cols > 0 || len(op.data) == 0 {
			continue
		}
		n := skipTo(op.data, int64(cut)) // ends at a line's end when one is near (feed.go)
		op.skipLines += bytes.Count(op.data[:n], []byte{'\n'})
		op.skipBytes += int64(n)
		op.data = op.data[n:]
		cut -= n
		s.backlog -= n
	}
}

// cutFlood trims a deferred main-screen flood to floodTail before it is fed.
func (s *session) cutFlood() {
	s.scrMu.Lock()
	alt := s.scr.Alt()
	s.scrMu.Unlock()
	if alt {
		return
	}
	s.mu.Lock()
	s.trimPending(floodTail, floodTail)
	s.mu.Unlock()
}
