//go:build windows

package platform

import (
	"os"
	"sync"
	"time"

	"golang.org/x/sys/windows"
	"golang.org/x/term"
)

// resizePoll is how often WatchResize looks at the console's size. Windows
// has no SIGWINCH, and the console's WINDOW_BUFFER_SIZE events arrive only
// through ReadConsoleInput, which would take the keystrokes too (ct reads
// them as VT bytes with ReadFile). A quarter second is how long a drag
// leaves the program at the old size; the call costs microseconds.
const resizePoll = 250 * time.Millisecond

// WatchResize reports on the returned channel each time the console on f
// changes size (polled, see resizePoll), until stop is called.
func WatchResize(f *os.File) (resized <-chan struct{}, stop func()) {
	// One slot: a resize pending is all a reader needs to know.
	out := make(chan struct{}, 1)
	done := make(chan struct{})
	// Polls the size until stop.
	go func() {
		t := time.NewTicker(resizePoll)
		defer t.Stop()
		w, h, _ := term.GetSize(int(f.Fd()))
		for {
			select {
			case <-done:
				return
			case <-t.C:
			}
			nw, nh, err := term.GetSize(int(f.Fd()))
			if err != nil || (nw == w && nh == h) {
				continue
			}
			w, h = nw, nh
			select {
			case out <- struct{}{}:
			default:
			}
		}
	}()
	var once sync.Once
	return out, func() { once.Do(func() { close(done) }) }
}

// EnableVT turns on ENABLE_VIRTUAL_TERMINAL_PROCESSING for the console on
// f, so the program's colours and cursor moves are drawn rather than
// printed, and returns the function that puts the old mode back. When f is
// no console it does nothing.
func EnableVT(f *os.File) (restore func()) {
	h := windows.Handle(f.Fd())
	var old uint32
	if windows.GetConsoleMode(h, &old) != nil {
		return func() {}
	}
	mode := old | windows.ENABLE_VIRTUAL_TERMINAL_PROCESSING | windows.DISABLE_NEWLINE_AUTO_RETURN
	if windows.SetConsoleMode(h, mode) != nil {
		return func() {}
	}
	return func() { _ = windows.SetConsoleMode(h, old) }
}
