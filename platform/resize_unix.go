//go:build unix

package platform

import (
	"os"
	"os/signal"
	"sync"
	"syscall"
)

// WatchResize reports on the returned channel each time the terminal on f
// changes size (SIGWINCH), until stop is called.
func WatchResize(f *os.File) (resized <-chan struct{}, stop func()) {
	// Buffered: signal.Notify drops signals a full channel cannot take.
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, syscall.SIGWINCH)
	// One slot: a resize pending is all a reader needs to know.
	out := make(chan struct{}, 1)
	// Turns signals into ticks; ends when stop closes sigs.
	go func() {
		for range sigs {
			select {
			case out <- struct{}{}:
			default:
			}
		}
	}()
	var once sync.Once
	return out, func() { once.Do(func() { signal.Stop(sigs); close(sigs) }) }
}

// EnableVT makes the terminal on f interpret the escape sequences ct
// writes to it. Unix terminals always do, so it does nothing.
func EnableVT(f *os.File) (restore func()) { return func() {} }
