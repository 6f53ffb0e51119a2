//go:build unix

package ptywrap

import (
	"io"
	"os"
	"os/exec"
	"runtime"
	"syscall"

	"github.com/creack/pty"
	"golang.org/x/sys/unix"
)

// unixPTY is a PTY master from creack/pty, read through r (ptyReader).
type unixPTY struct {
	*os.File
	r io.Reader
}

func (p unixPTY) Read(b []byte) (int, error) { return p.r.Read(b) }

// Resize sets the PTY's window size (the program gets SIGWINCH). The ioctl
// runs under the file's own descriptor (SyscallConn), never os.File.Fd,
// which would put the descriptor back in blocking mode (startPTY).
func (p unixPTY) Resize(cols, rows int) error {
	rc, err := p.SyscallConn()
	if err != nil {
		return err
	}
	ws := &unix.Winsize{Col: uint16(cols), Row: uint16(rows)}
	var ioctlErr error
	if err := rc.Control(func(fd uintptr) { ioctlErr = unix.IoctlSetWinsize(int(fd), unix.TIOCSWINSZ, ws) }); err != nil {
		return err
	}
	return ioctlErr
}

// startPTY starts cmd under a new PTY of the given size.
func startPTY(cmd *exec.Cmd, cols, rows int) (ptyFile, error) {
	master, err := pty.StartWithSize(cmd, &pty.Winsize{Cols: uint16(cols), Rows: uint16(rows)})
	if err != nil {
		return nil, err
	}
	f := pollable(master)
	return unixPTY{f, ptyReader(f)}, nil
}

// pollable returns the PTY master as a file Go's poller waits on. creack/pty
// sets the size through os.File.Fd, which switches the descriptor to
// blocking mode for good: every Read was then a blocking system call that
// kept its thread, and ct wrap's only P (wrapProcs), until the runtime's
// monitor took the P back 20 µs to 10 ms later; the goroutine sending the
// output to the hub waited that long after each read (issue 17.1: a
// keystroke's echo). On Linux the master is reopened non-blocking (a
// close-on-exec duplicate; the flag belongs to the open file, shared by
// both) and handed to the poller, which also makes the read deadline at
// exit work (copyOutput). Elsewhere (macOS's kqueue and PTYs are not
// tested here) it stays as creack/pty left it; so it does if any step
// fails.
func pollable(master *os.File) *os.File {
	if runtime.GOOS != "linux" {
		return master
	}
	fd, err := unix.FcntlInt(master.Fd(), unix.F_DUPFD_CLOEXEC, 0)
	if err != nil {
		return master
	}
	if err := unix.SetNonblock(fd, true); err != nil {
		_ = unix.Close(fd)
		return master
	}
	f := os.NewFile(uintptr(fd), master.Name()) // non-blocking: registered with the poller
	_ = master.Close()
	return f
}

// waitProgram waits for the program started by startPTY.
func waitProgram(cmd *exec.Cmd) error { return cmd.Wait() }

// terminateSignal asks the program to end (a stop from the hub).
func terminateSignal() os.Signal { return syscall.SIGTERM }

// hangupSignal is what a closed terminal sends.
func hangupSignal() os.Signal { return syscall.SIGHUP }
