//go:build unix

package ptywrap

import (
	"os"
	"os/signal"
	"syscall"

	"golang.org/x/term"
)

// forwardSignals follows the terminal's size (SIGWINCH) and passes SIGINT,
// SIGTERM and SIGHUP sent to ct on to the program (a raw terminal sends none
// itself). It returns the function that stops listening.
func (t terminal) forwardSignals(s *session) (stop func()) {
	// Buffered: signal.Notify drops signals a full channel cannot take.
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGWINCH, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP)
	go func() {
		for sig := range sigs {
			switch sig {
			case syscall.SIGWINCH:
				if !t.tty {
					continue
				}
				if w, h, err := term.GetSize(int(t.stdin.Fd())); err == nil {
					s.setSize(w, h)
				}
			default:
				s.signal(sig) // without a terminal, pass signals on
			}
		}
	}()
	return func() { signal.Stop(sigs) }
}
