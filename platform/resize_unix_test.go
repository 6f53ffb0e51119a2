//go:build unix

package platform

import (
	"os"
	"syscall"
	"testing"
	"time"
)

// A SIGWINCH becomes a tick on the channel, and stop may be called twice.
func TestWatchResizeTicksOnSIGWINCH(t *testing.T) {
	resized, stop := WatchResize(os.Stdin)
	if err := syscall.Kill(os.Getpid(), syscall.SIGWINCH); err != nil {
		t.Fatal(err)
	}
	select {
	case <-resized:
	case <-time.After(10 * time.Second):
		t.Fatal("no tick after SIGWINCH")
	}
	stop()
	stop() // safe twice, as the deferred and the explicit stop in a caller
}
