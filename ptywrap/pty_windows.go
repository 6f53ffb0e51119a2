//go:build windows

package ptywrap

import (
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"sync"
	"time"

	"github.com/charmbracelet/x/conpty"
	"github.com/charmbracelet/x/xpty"
	"golang.org/x/sys/windows"
)

// errNoDeadline: reads from a pseudo console's pipe cannot be bounded.
var errNoDeadline = errors.New("a pseudo console's output pipe has no read deadline")

// conPTY is a Windows pseudo console (ConPTY, through charmbracelet's
// conpty and xpty). Its reads come from out, our own duplicate of the
// output pipe's read end, so that closing the console (which closes its
// copy) never throws away the last bytes it flushed: out reads on until the
// pipe reports that every writer is gone.
type conPTY struct {
	c       *xpty.ConPty
	out     windows.Handle
	release sync.Once // closes the console once: after exit, or at Close
}

// startPTY starts cmd attached to a new pseudo console of the given size.
func startPTY(cmd *exec.Cmd, cols, rows int) (ptyFile, error) {
	inR, inW, outR, outW, err := conpty.CreatePipes()
	if err != nil {
		return nil, err
	}
	self := windows.CurrentProcess()
	var out windows.Handle
	if err := windows.DuplicateHandle(self, windows.Handle(outR), self, &out, 0, false, windows.DUPLICATE_SAME_ACCESS); err != nil {
		for _, h := range []uintptr{inR, inW, outR, outW} {
			_ = windows.CloseHandle(windows.Handle(h))
		}
		return nil, err
	}
	c, err := conpty.NewWithPipes(inR, inW, outR, outW, cols, rows, 0)
	if err != nil {
		_ = windows.CloseHandle(out)
		return nil, err
	}
	p := &conPTY{c: &xpty.ConPty{ConPty: c}, out: out}
	if cmd.Env == nil {
		cmd.Env = os.Environ()
	}
	if err := p.c.Start(cmd); err != nil {
		_ = p.Close()
		return nil, err
	}
	return p, nil
}

// Read reads the program's output; io.EOF once the console has closed and
// everything it wrote has been read.
func (p *conPTY) Read(b []byte) (int, error) {
	var n uint32
	err := windows.ReadFile(p.out, b, &n, nil)
	if errors.Is(err, windows.ERROR_BROKEN_PIPE) {
		return int(n), io.EOF
	}
	return int(n), err
}

// Write types b into the program.
func (p *conPTY) Write(b []byte) (int, error) { return p.c.Write(b) }

// Resize sets the console's size (ResizePseudoConsole).
func (p *conPTY) Resize(cols, rows int) error { return p.c.Resize(cols, rows) }

// SetReadDeadline is called once the program has exited (copyOutput). A
// pseudo console keeps its output open after its program exits, until it is
// closed; closing it flushes what it still holds and ends the pipe, so the
// plain reads that follow (drainNow) end at EOF with every byte. Closing
// runs in its own goroutine because ClosePseudoConsole waits, on older
// Windows, until its last output has been read.
func (p *conPTY) SetReadDeadline(time.Time) error {
	go p.release.Do(func() { _ = p.c.Close() })
	return errNoDeadline
}

// Close closes the console and our end of its output.
func (p *conPTY) Close() error {
	p.release.Do(func() { _ = p.c.Close() })
	return windows.CloseHandle(p.out)
}

// waitProgram waits for the program started by startPTY: exec.Cmd.Wait
// does not work for a process spawned on a pseudo console; xpty's
// WaitProcess fills in ProcessState and the exit error as Wait would.
func waitProgram(cmd *exec.Cmd) error { return xpty.WaitProcess(context.Background(), cmd) }

// terminateSignal: Windows has no SIGTERM; a stop ends the program.
func terminateSignal() os.Signal { return os.Kill }

// hangupSignal: Windows has no SIGHUP, and os.Process.Signal can only kill.
func hangupSignal() os.Signal { return os.Kill }
