package hub

import (
	"bytes"
	"time"
)

// Screen feeding is asynchronous: the emulator (a few MB/s) is far slower than
// a PTY (~100 MB/s), and the store and the wrap must never wait for it. When
// it falls behind, it skips to the newest bytes (the log still has every
// byte) and the page marks how many lines it skipped.
const (
	// Measured (BENCHMARKS.md): the emulator is most of the hub's CPU under
	// floods, so one busy session's frame never feeds it more than the
	// newest 64 KiB: past maxBacklog it skips to the last keepTail bytes.
	maxBacklog = 128 << 10
	keepTail   = 64 << 10
	// roundBudget is what one round of every busy session's feed may
	// emulate in all when several share the emulating slots, until the
	// emulator's speed is measured (emurate.go): ~50–100 ms of it on one
	// core of this 2-core machine (4–5 MB/s under load, BENCHMARKS.md
	// "Scale"). Each session gets its share, so a session's screen is at
	// most about one round behind however many sessions flood at once; a
	// fixed per-session tail made 100 sessions × 100 KB/s wait 1.4 s for
	// their turn (issue 17, goal 4).
	roundBudget = 256 << 10
	// minTail is the least a contended feed emulates: a screenful of
	// output (80×24 with some colour), so the screen a viewer sees is
	// the program's newest one, not the top of an old one.
	minTail = 4 << 10
)

// feedTail returns how many of a session's backlog bytes its emulator should
// skip (0: feed them all), given how many sessions are behind, itself
// included, and the bytes a round may emulate in all (emuMeter.round).
// Alone it skips only past maxBacklog, as one flood always did; shared, it
// keeps its share of the round and skips once its backlog is twice that (so
// a session a little behind is not cut for a few bytes).
func feedTail(backlog int, behind int64, round int) int64 {
	limit, tail := maxBacklog, keepTail
	if behind > 1 {
		tail = max(minTail, min(keepTail, round/int(behind)))
		limit = 2 * tail
	}
	if backlog <= limit {
		return 0
	}
	return int64(backlog - tail)
}

// feed runs the session's pending output through its emulator. It waits for
// an emulating slot before it takes the pending output, so what it feeds is
// everything that arrived while it waited (taking it first left the newest
// output for the next round: a second wait behind every other session).
// It reports whether it fed anything (then the screen rules are due:
// rules, after the frame is published).
func (s *session) feed() bool {
	s.mu.Lock()
	idle := len(s.pending) == 0
	s.mu.Unlock()
	if idle {
		return false
	}
	// One session feeds its emulator at a time per spare core: a flood in
	// one session must not starve the hub's other work.
	s.h.emulating <- struct{}{}
	behind := s.h.behind.Load()
	ops, backlog := s.takePending()
	if len(ops) == 0 {
		<-s.h.emulating
		return false
	}
	skip := feedTail(backlog, behind, s.h.emuRate.round())
	began, fed := time.Now(), 0
	s.fedAt = began
	waited := int64(backlog) // bytes that waited, cut ones included: a flood's feed paces the next (feedpace.go)
	s.scrMu.Lock()
	for _, op := range ops {
		if op.cols > 0 {
			s.scr.Resize(clampSize(op.cols, op.rows))
			continue
		}
		if op.skipBytes > 0 {
			// Cut while it waited (trimPending): marked where it was, as below.
			s.skipped += op.skipBytes
			waited += op.skipBytes
			s.scr.Skip(op.skipLines)
		}
		d := op.data
		if skip > 0 {
			n := skipTo(d, skip)
			// The page marks the skipped lines where they were ("… N lines
			// skipped — full log"); counting newlines is far cheaper than
			// emulating them.
			s.scr.Skip(bytes.Count(d[:n], []byte{'\n'}))
			s.skipped += int64(n)
			d, skip = d[n:], max(0, skip-int64(n))
		}
		if len(d) > 0 {
			s.scr.Write(d)
			fed += len(d)
		}
	}
	s.flooding = waited >= floodTail
	s.version++
	s.scrMu.Unlock()
	// The slot bounds the emulator's cores; the rules' matching and their
	// store writes (rules) need not hold up the next session's turn.
	s.h.emuRate.observe(fed, time.Since(began))
	<-s.h.emulating
	return true
}

// skipTo is how much of d to skip to leave off skip bytes: skip, moved on to
// just past the next newline when one comes soon, so the emulator resumes at
// the start of a line (not inside a line or an escape sequence).
func skipTo(d []byte, skip int64) int {
	n := int(min(skip, int64(len(d))))
	if n == len(d) {
		return n
	}
	// A line is rarely longer than a wide screen; past that, cut as asked.
	if i := bytes.IndexByte(d[n:min(len(d), n+1024)], '\n'); i >= 0 && n+i+1 < len(d) {
		return n + i + 1
	}
	return n
}

// takePending empties the session's queue and returns it and its size.
func (s *session) takePending() ([]screenOp, int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ops, backlog := s.pending, s.backlog
	if len(ops) > 0 {
		s.h.behind.Add(-1)
	}
	s.pending, s.backlog = nil, 0
	return ops, backlog
}

// dropPending forgets output never fed when the worker ends, so the hub's
// count of sessions behind stays true.
func (s *session) dropPending() { s.takePending() }
