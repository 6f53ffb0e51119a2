package ptywrap

import (
	"io"
	"time"
)

// ptyFile is the parent's end of the program's terminal: a Unix PTY's
// master (pty_unix.go) or a Windows pseudo console (pty_windows.go). The
// session core knows nothing else of either.
type ptyFile interface {
	io.ReadWriteCloser
	// SetReadDeadline bounds the next Read; it fails when reads cannot be
	// bounded, and copyOutput then drains with plain reads (drainNow).
	SetReadDeadline(t time.Time) error
	// Resize sets the terminal's size in cells.
	Resize(cols, rows int) error
}
