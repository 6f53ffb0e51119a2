//go:build unix

package ptywrap

import (
	"os"
	"os/exec"
	"syscall"

	"github.com/creack/pty"
)

// unixPTY is a PTY master from creack/pty.
type unixPTY struct{ *os.File }

// Resize sets the PTY's window size (the program gets SIGWINCH).
func (p unixPTY) Resize(cols, rows int) error {
	return pty.Setsize(p.File, &pty.Winsize{Cols: uint16(cols), Rows: uint16(rows)})
}

// startPTY starts cmd under a new PTY of the given size.
func startPTY(cmd *exec.Cmd, cols, rows int) (ptyFile, error) {
	master, err := pty.StartWithSize(cmd, &pty.Winsize{Cols: uint16(cols), Rows: uint16(rows)})
	if err != nil {
		return nil, err
	}
	return unixPTY{master}, nil
}

// waitProgram waits for the program started by startPTY.
func waitProgram(cmd *exec.Cmd) error { return cmd.Wait() }

// terminateSignal asks the program to end (a stop from the hub).
func terminateSignal() os.Signal { return syscall.SIGTERM }

// hangupSignal is what a closed terminal sends.
func hangupSignal() os.Signal { return syscall.SIGHUP }
