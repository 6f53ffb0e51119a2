//go:build unix && !linux

package ptywrap

import (
	"io"
	"os"
)

// ptyReader is the PTY master itself: it is left blocking off Linux
// (pollable), where a raw read (rawio_linux.go) would stop every goroutine.
func ptyReader(f *os.File) io.Reader { return f }
