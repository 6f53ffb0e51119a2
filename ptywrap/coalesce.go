package ptywrap

import (
	"context"
	"time"

	"github.com/ct-dev/ct/wire"
)

// Coalescing a flood's frames (issue 17.3). A sender that keeps up takes
// each PTY read (~4 KiB) as a frame of its own: ~25,000 frames, WebSocket
// writes and hub events per 100 MiB, each with its header, marshal and
// store put. Once output is flooding (floodBytes within floodWindow), the
// sender lets the growing last frame reach coalesceMin, waiting at most
// coalesceWait. Below that rate (a keystroke's echo, an agent's UI) every
// frame goes at once, as before.
const (
	floodWindow  = 10 * time.Millisecond
	floodBytes   = 64 << 10 // in floodWindow: 6.4 MB/s, far past anything typed or drawn
	coalesceMin  = 32 << 10
	coalesceWait = 2 * time.Millisecond
)

// flood tracks the output rate the sender sees; used by its goroutine only.
type flood struct {
	start time.Time     // the current window's start
	bytes int           // output sent in it
	wait  time.Duration // the most a frame waits to grow; 0: coalesceWait (tests set it)
	// waiting, when set (tests), is closed the first time a frame waits.
	waiting chan struct{}
}

// sent counts an output frame of n bytes sent at now.
func (f *flood) sent(now time.Time, n int) {
	if now.Sub(f.start) > floodWindow {
		f.start, f.bytes = now, 0
	}
	f.bytes += n
}

// on reports whether output is flooding as of now.
func (f *flood) on(now time.Time) bool {
	return now.Sub(f.start) <= floodWindow && f.bytes >= floodBytes
}

// growing reports the size of the next event to send when it is the last
// one and output (so it may still grow).
func (s *spool) growing() (int, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if n := len(s.events); s.sendIdx == n-1 && s.events[n-1].Type == wire.TypePtyOutput {
		return len(s.events[n-1].Data), true
	}
	return 0, false
}

// coalesce waits, in a flood, until the frame about to be sent holds
// coalesceMin bytes or coalesceWait has passed. It returns an urgent
// envelope that arrived meanwhile, if any, and false when ctx ended.
func (st *streamer) coalesce(ctx context.Context, f *flood) (wire.Envelope, bool, bool) {
	if !f.on(time.Now()) {
		return wire.Envelope{}, false, true
	}
	wait := f.wait
	if wait <= 0 {
		wait = coalesceWait
	}
	timer := time.NewTimer(wait)
	defer timer.Stop()
	for {
		if n, ok := st.sp.growing(); !ok || n >= coalesceMin {
			return wire.Envelope{}, false, true
		}
		if f.waiting != nil {
			close(f.waiting)
			f.waiting = nil
		}
		select {
		case <-ctx.Done():
			return wire.Envelope{}, false, false
		case e := <-st.urgent:
			return e, true, true
		case <-st.sp.wake:
		case <-timer.C:
			return wire.Envelope{}, false, true
		}
	}
}
