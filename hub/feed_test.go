package hub

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestFeedTail(t *testing.T) {
	cases := []struct {
		backlog int
		behind  int64
		want    int64
	}{
		{maxBacklog, 1, 0}, // alone: fed whole up to maxBacklog, as always
		{maxBacklog + 1, 1, maxBacklog + 1 - keepTail}, // alone past it: the newest keepTail
		{maxBacklog + 1, 0, maxBacklog + 1 - keepTail}, // (a replay before the worker runs)
		{2 * (roundBudget / 8), 8, 0},                  // shared by 8: twice the share is still fed
		{2*(roundBudget/8) + 1, 8, roundBudget/8 + 1},  // ... past it, the share is kept
		{100 << 10, 100, 100<<10 - minTail},            // 100 busy: never below a screenful
		{1 << 20, 2, 1<<20 - keepTail},                 // the share never exceeds keepTail
		{3 * minTail, 1000, 3*minTail - minTail},       // many sessions: minTail kept
		{2 * minTail, 1000, 0},                         // ... and a little behind is fed whole
	}
	for _, c := range cases {
		if got := feedTail(c.backlog, c.behind, roundBudget); got != c.want {
			t.Errorf("feedTail(%d, %d) = %d, want %d", c.backlog, c.behind, got, c.want)
		}
	}
}

// The round follows the emulator's measured speed: a starved emulator gets
// smaller rounds (each screen at most roundTarget behind), bounded both ways.
func TestEmuMeterRound(t *testing.T) {
	var m emuMeter
	if got := m.round(); got != roundBudget {
		t.Fatalf("round before any feed = %d, want roundBudget %d", got, roundBudget)
	}
	m.observe(1<<20, time.Second) // 1 MiB/s
	if got, want := m.round(), (1<<20)*int(roundTarget)/int(time.Second); got != want {
		t.Fatalf("round at 1 MiB/s = %d, want %d (roundTarget of it)", got, want)
	}
	for range 100 {
		m.observe(meterMin, time.Second) // starved: 2 KiB/s
	}
	if got := m.round(); got != minRound {
		t.Fatalf("round when starved = %d, want the floor %d", got, minRound)
	}
	for range 100 {
		m.observe(1<<30, time.Second)
	}
	if got := m.round(); got != maxRound {
		t.Fatalf("round when fast = %d, want the ceiling %d", got, maxRound)
	}
	before := m.rate.Load()
	m.observe(meterMin-1, time.Nanosecond) // too small to say anything
	if m.rate.Load() != before {
		t.Fatal("a tiny feed moved the meter")
	}
	// The share follows: 50 sessions behind on a fast emulator keep more
	// than on a starved one.
	if fast, slow := feedTail(1<<20, 50, maxRound), feedTail(1<<20, 50, minRound); fast >= slow {
		t.Fatalf("skip with a fast emulator %d, with a slow one %d: the slow one must skip more", fast, slow)
	}
}

func TestSkipToLineStart(t *testing.T) {
	d := []byte("aaaa\nbbbb\ncccc\n")
	if n := skipTo(d, 7); n != 10 {
		t.Fatalf("skipTo inside the second line = %d, want 10 (the third line's start)", n)
	}
	if n := skipTo(d, 100); n != len(d) {
		t.Fatalf("skipTo past the end = %d, want %d", n, len(d))
	}
	if n := skipTo([]byte("aaaa\nbbbbbbbb"), 6); n != 6 {
		t.Fatalf("skipTo with no newline after = %d, want 6 (as asked)", n)
	}
}

// Issue 17 goal 4: many sessions flooding at once share one emulating slot.
// Each must skip to its newest output by its share of a round, so its screen
// is never many rounds behind; a fixed 128 KiB threshold let 100 sessions ×
// 100 KB/s each wait 1.4 s for their turn. The log still has every byte.
func TestContendedFeedShedsToNewest(t *testing.T) {
	th := newTestHub(t)
	for range cap(th.emulating) {
		th.emulating <- struct{}{} // every slot busy: the sessions queue up
	}
	released := false
	release := func() {
		if !released {
			released = true
			for range cap(th.emulating) {
				<-th.emulating
			}
		}
	}
	defer release()
	const n = 20
	line := strings.Repeat("x", 30) + "\r\n"
	body := strings.Repeat(line, (120<<10)/len(line)) // under maxBacklog: alone, fed whole
	// As if the emulator had been measured at roundBudget per round, so
	// the shares do not depend on this machine's speed.
	th.emuRate.rate.Store(int64(roundBudget) * int64(time.Second) / int64(roundTarget))
	sids := make([]string, n)
	for i := range n {
		sids[i] = fmt.Sprintf("sess-flood-%02d", i)
		tr, _, _ := th.connect(t, sids[i])
		th.Watch(sids[i], +1)
		tr.toHub <- output(1, body+fmt.Sprintf("END-%02d\r\n", i))
		th.waitAck(t, tr, sids[i], 1) // received, queued for the screen, stored
	}
	release()
	skipped := 0
	for i, sid := range sids {
		th.waitScreen(t, sid, func(s string) bool { return strings.Contains(s, fmt.Sprintf("END-%02d", i)) })
		snap, err := th.Screen(sid)
		if err != nil {
			t.Fatal(err)
		}
		if snap.Skipped > 0 {
			skipped++
		}
		if got := th.logBytes(t, sid); got != body+fmt.Sprintf("END-%02d\r\n", i) {
			t.Fatalf("%s: the log holds %d bytes, want every one of %d", sid, len(got), len(body)+8)
		}
	}
	// The first ones fed share the round with up to 19 others (share
	// 12.8 KiB, skipped past 25.6 KiB); the last few are nearly alone.
	if skipped < n/4 {
		t.Fatalf("%d of %d sessions flooding at once skipped to their newest output; want at least %d", skipped, n, n/4)
	}
}

// A session whose worker has ended takes no more screen output, and leaves
// the count of sessions behind as it found it: a leaked count would make a
// lone flood share its round with ghosts.
func TestStoppedSessionNotBehind(t *testing.T) {
	th := newTestHub(t)
	tr, _, _ := th.connect(t, "sess-gone-1")
	tr.toHub <- output(1, "hello\r\n")
	th.waitAck(t, tr, "sess-gone-1", 1)
	th.waitScreen(t, "sess-gone-1", func(s string) bool { return strings.Contains(s, "hello") })
	s := th.peek("sess-gone-1")
	before := th.behind.Load()
	s.stop()
	s.apply(output(2, "late\r\n"))
	// Until the worker has gone, its exit may be what empties the queue.
	deadline := time.Now().Add(waitLimit)
	for th.behind.Load() != before {
		if time.Now().After(deadline) {
			t.Fatalf("%d sessions counted behind after a stopped one got output; want %d", th.behind.Load(), before)
		}
		time.Sleep(5 * time.Millisecond) // polling for the worker's exit, not synchronisation
	}
	s.apply(output(3, "later\r\n")) // the worker is gone now
	if got := th.behind.Load(); got != before {
		t.Fatalf("%d sessions counted behind after output to a stopped one; want %d", got, before)
	}
}
