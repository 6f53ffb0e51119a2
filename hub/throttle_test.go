package hub

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/ct-dev/ct/db"
	"github.com/ct-dev/ct/screen"
)

// workerless is a session whose screen worker is not running: the test
// drives feed and publish itself, so every throttle decision is observed.
func workerless(th *testHub) *session {
	s := &session{h: th.Hub, id: "sess-throttle", meta: db.Session{ID: "sess-throttle"}, promptIDs: map[string]string{},
		hooks: true, scr: screen.New(40, 5), wake: make(chan struct{}, 1), done: make(chan struct{}),
		bucket: frameBucket{tokens: frameBurst}}
	s.watch(+1)
	if s.publish() != 0 {
		panic("a fresh watcher's first frame waited")
	}
	return s
}

// TestTypedEchoNeverWaits: back-to-back keystrokes (issue 17) each get their
// echo published at once, however many come in a row. Before the token
// bucket, a frame within 5 ms of the previous one waited for a timer.
func TestTypedEchoNeverWaits(t *testing.T) {
	th := newTestHub(t)
	s := workerless(th)
	defer s.scr.Close()
	th.rec.next(t) // the watcher's full screen
	for i := range 3 * frameBurst {
		s.typedInput() // what Hub.Input does before sending the key
		s.enqueue(screenOp{data: []byte{'a' + byte(i%26)}})
		s.feed()
		if wait := s.publish(); wait != 0 {
			t.Fatalf("keystroke %d: its echo waits %v for the throttle", i, wait)
		}
		if u := th.rec.next(t); len(u.Rows) == 0 {
			t.Fatalf("keystroke %d: an update without the echoed row", i)
		}
	}
}

// TestFloodThrottled: output nobody typed gets at most frameBurst frames at
// once, then waits for the bucket (~20 frames a second, DESIGN.md).
func TestFloodThrottled(t *testing.T) {
	th := newTestHub(t)
	s := workerless(th)
	defer s.scr.Close()
	th.rec.next(t)
	sent := 0
	for i := range 3 * frameBurst {
		s.enqueue(screenOp{data: []byte{'a' + byte(i%26)}})
		s.feed()
		if wait := s.publish(); wait == 0 {
			sent++
			th.rec.next(t)
		} else if wait > time.Second/frameRate {
			t.Fatalf("frame %d waits %v, more than one refill", i, wait)
		}
	}
	// The loop takes far less than a second; allow the refill of a slow run.
	if sent < frameBurst-1 || sent > frameBurst+frameRate {
		t.Fatalf("%d of %d flood frames sent at once; want about %d", sent, 3*frameBurst, frameBurst)
	}
}

// wheelCounter is a recorder that also counts presence refreshes.
type wheelCounter struct {
	*recorder
	wheel atomic.Int64
}

func (w *wheelCounter) WheelChanged(string) { w.wheel.Add(1) }

// TestTypingNotPerKeystroke: a burst of typing refreshes the presence bar
// once ("X is typing"), not once per keystroke (issue 17: each keystroke
// rendered the bar for every viewer and armed a timer of its own).
func TestTypingNotPerKeystroke(t *testing.T) {
	th := newTestHub(t)
	wc := &wheelCounter{recorder: th.rec}
	th.SetListener(wc)
	const sid = "sess-typing"
	tr, _, _ := th.connect(t, sid)
	for i := range 30 {
		if err := th.InputAs(sid, "ann", []byte{'a' + byte(i%26)}); err != nil {
			t.Fatal(err)
		}
		tr.recv(t, "pty.input")
	}
	if n := wc.wheel.Load(); n != 1 {
		t.Fatalf("30 keystrokes refreshed the presence bar %d times; want 1 (typing started)", n)
	}
}
