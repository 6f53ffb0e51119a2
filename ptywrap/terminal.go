package ptywrap

import (
	"io"
	"os"

	"github.com/ct-dev/ct/platform"
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
	vt := func() {}
	if f, ok := t.out.(*os.File); ok {
		vt = platform.EnableVT(f) // Windows consoles draw escape sequences only when asked
	}
	return func() { vt(); _ = term.Restore(int(t.stdin.Fd()), old) }
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
