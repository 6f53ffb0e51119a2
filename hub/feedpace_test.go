package hub

import (
	"bytes"
	"fmt"
	"testing"
	"time"
)

// TestFloodTrimmedAtEnqueue: output piling up for the screen is cut to its
// newest keepTail bytes as it arrives (issue 17.2: the hub's memory and
// emulation follow what a frame shows, not the flood), and every cut line is
// still counted: history plus what is on screen is every line written.
func TestFloodTrimmedAtEnqueue(t *testing.T) {
	th := newTestHub(t)
	s := workerless(th)
	defer s.scr.Close()
	th.rec.next(t)
	const lines = 60000 // ~2 MiB: far over maxBacklog
	var all bytes.Buffer
	for i := range lines {
		fmt.Fprintf(&all, "line %06d of the flood\r\n", i)
	}
	want := all.Len()
	for p := all.Bytes(); len(p) > 0; {
		n := min(len(p), 64<<10)
		s.enqueue(screenOp{data: p[:n]})
		p = p[n:]
		s.mu.Lock()
		backlog := s.backlog
		s.mu.Unlock()
		if backlog > maxBacklog {
			t.Fatalf("%d bytes wait for the emulator, more than maxBacklog %d", backlog, maxBacklog)
		}
	}
	s.feed()
	if s.skipped < int64(want-maxBacklog) || s.skipped > int64(want-keepTail+skipSlack) {
		t.Fatalf("skipped %d of %d bytes; want the flood but its last %d-%d", s.skipped, want, keepTail, maxBacklog)
	}
	_, total := s.scr.History(0)
	_, rows := s.scr.Size()
	if onScreen := rows - 1; total+onScreen != lines { // the cursor sits on the empty last row
		t.Fatalf("history counts %d lines and the screen shows %d: %d of %d lines accounted for", total, onScreen, total+onScreen, lines)
	}
	if !bytes.Contains([]byte(s.scr.Text()), []byte(fmt.Sprintf("line %06d", lines-1))) {
		t.Fatalf("the screen does not show the last line:\n%s", s.scr.Text())
	}
}

// TestFloodFedPerFrame: once a feed found a flood, the worker leaves new
// output unfed until feedEvery after it; small output, an echo due, or a
// watcher owed the whole screen is fed at once.
func TestFloodFedPerFrame(t *testing.T) {
	th := newTestHub(t)
	s := workerless(th)
	defer s.scr.Close()
	th.rec.next(t)
	s.enqueue(screenOp{data: []byte("a prompt$ ")})
	s.feed()
	s.enqueue(screenOp{data: []byte("ls\r\n")})
	if w := s.feedWait(time.Now()); w != 0 {
		t.Fatalf("small output waits %v to be fed", w)
	}
	s.enqueue(screenOp{data: bytes.Repeat([]byte("flood line\r\n"), floodTail/8)})
	s.feed()
	now := s.fedAt
	s.enqueue(screenOp{data: []byte("more\r\n")})
	if w := s.feedWait(now); w != feedEvery {
		t.Fatalf("right after a flood's feed the worker waits %v; want %v", w, feedEvery)
	}
	if w := s.feedWait(now.Add(feedEvery)); w != 0 {
		t.Fatalf("%v after a flood's feed the worker still waits %v", feedEvery, w)
	}
	s.typedInput()
	if w := s.feedWait(now); w != 0 {
		t.Fatalf("a keystroke's echo waits %v to be fed", w)
	}
	s.mu.Lock()
	s.typed = 0
	s.mu.Unlock()
	s.watch(+1)
	if w := s.feedWait(now); w != 0 {
		t.Fatalf("a new watcher's whole screen waits %v", w)
	}
	s.feed()
	if s.flooding {
		t.Fatal("a feed of a few bytes still counts as a flood's")
	}
}

// TestDeferredFloodCut: a main-screen flood that waited for a frame is fed
// only its newest floodTail bytes, resuming at a line's start, with every
// cut line counted; a full-screen app's (alternate screen) is left whole,
// since its differences cannot be cut.
func TestDeferredFloodCut(t *testing.T) {
	th := newTestHub(t)
	s := workerless(th)
	defer s.scr.Close()
	th.rec.next(t)
	flood := func(from, n int) []byte {
		var b bytes.Buffer
		for i := range n {
			fmt.Fprintf(&b, "line %06d of the flood\r\n", from+i)
		}
		return b.Bytes()
	}
	const lines = 4000 // ~100 KiB: under maxBacklog, so enqueue keeps it all
	s.enqueue(screenOp{data: flood(0, lines)})
	s.cutFlood()
	s.mu.Lock()
	left := s.pending[0].data
	s.mu.Unlock()
	if len(left) > floodTail || len(left) < floodTail-skipSlack || !bytes.HasPrefix(left, []byte("line ")) {
		t.Fatalf("a deferred flood keeps %d bytes starting %q; want about %d from a line's start", len(left), left[:min(len(left), 12)], floodTail)
	}
	s.feed()
	_, total := s.scr.History(0)
	_, rows := s.scr.Size()
	if total+rows-1 != lines {
		t.Fatalf("%d of %d lines accounted for after the cut", total+rows-1, lines)
	}
	s.enqueue(screenOp{data: []byte("\x1b[?1049h")}) // a full-screen app starts
	s.feed()
	s.enqueue(screenOp{data: flood(0, lines)})
	s.cutFlood()
	s.mu.Lock()
	backlog := s.backlog
	s.mu.Unlock()
	if backlog != len(flood(0, lines)) {
		t.Fatalf("the alternate screen's output was cut to %d bytes", backlog)
	}
}

// skipSlack is how far past its mark skipTo may reach for a line's end.
const skipSlack = 1024
