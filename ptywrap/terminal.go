package ptywrap

import (
	"io"
	"os"
	"os/signal"
	"syscall"

	"golang.org/x/term"
)

// terminal is Run's end: the local terminal (or whatever stdin and stdout
// are when ct wrap runs without one).
type terminal struct {
	out   io.Writer
	stdin *os.File // nil when stdin is not a file
	tty   bool     // stdin is a terminal: its size wins over the hub's
}

func newTerminal(in io.Reader, out io.Writer) terminal {
	f, _ := in.(*os.File)
	return terminal{out: out, stdin: f, tty: f != nil && term.IsTerminal(int(f.Fd()))}
}

// Write mirrors the program's output to the local terminal.
func (t terminal) Write(p []byte) (int, error) { return t.out.Write(p) }

// sizeWins: the local terminal's size wins over the hub's when there is one.
func (t terminal) sizeWins() bool { return t.tty }

// size is the terminal's size, or the given default without one.
func (t terminal) size(cols, rows int) (int, int) {
	if t.tty {
		if w, h, err := term.GetSize(int(t.stdin.Fd())); err == nil && w > 0 && h > 0 {
			return w, h
		}
	}
	return cols, rows
}

// makeRaw puts the terminal in raw mode, so keys reach the program as typed,
// and returns the function that restores it (safe to call twice).
func (t terminal) makeRaw() (restore func()) {
	if !t.tty {
		return func() {}
	}
	old, err := term.MakeRaw(int(t.stdin.Fd()))
	if err != nil {
		return func() {}
	}
	return func() { _ = term.Restore(int(t.stdin.Fd()), old) }
}

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

// copyInput passes local keystrokes to the program until in ends or the
// program stops taking them.
func copyInput(s *session, in io.Reader) {
	buf := make([]byte, 4096)
	for {
		n, err := in.Read(buf)
		if n > 0 && s.typed(buf[:n]) != nil {
			return
		}
		if err != nil {
			return
		}
	}
}
