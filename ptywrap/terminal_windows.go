//go:build windows

package ptywrap

import (
	"os"
	"os/signal"

	"github.com/ct-dev/ct/platform"
	"golang.org/x/term"
)

// ctrlC is what a console in raw mode sends for Ctrl-C; the pseudo console
// turns it into CTRL_C_EVENT for the program.
const ctrlC = 0x03

// forwardSignals follows the console's size (polled: Windows has no
// SIGWINCH, see platform.WatchResize) and passes Ctrl-C sent to ct on to
// the program as the key (a raw console sends the key itself, and
// os.Process.Signal cannot interrupt on Windows). It returns the function
// that stops listening.
func (t terminal) forwardSignals(s *session) (stop func()) {
	// Buffered: signal.Notify drops signals a full channel cannot take.
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, os.Interrupt)
	var resized <-chan struct{} // nil without a console: never ready
	stopResize := func() {}
	if t.tty {
		resized, stopResize = platform.WatchResize(t.stdin)
	}
	done := make(chan struct{})
	// Serves both until stop.
	go func() {
		for {
			select {
			case <-done:
				return
			case <-sigs:
				_, _ = s.master.Write([]byte{ctrlC})
			case <-resized:
				if w, h, err := term.GetSize(int(t.stdin.Fd())); err == nil {
					s.setSize(w, h)
				}
			}
		}
	}()
	return func() { signal.Stop(sigs); stopResize(); close(done) }
}
