package ptywrap

import (
	"io"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
	"golang.org/x/term"
)

// localInput is what copyInput reads the local keyboard from. A terminal
// on stdin is reopened (/proc/self/fd/0: a new open file, the same
// terminal) non-blocking and read through Go's poller. Reading stdin itself
// was a blocking system call that kept ct wrap's only P (wrapProcs) after
// each keystroke until the runtime's monitor took it back, so the echo of
// the key just typed waited for that (issue 17.1, as the PTY master did).
// Stdin's own open file is shared with the user's shell and must stay
// blocking, which is why it is not switched; anything else (a pipe, a
// file), or a reopen that fails, is read as it is.
func localInput(stdin io.Reader, tty bool) io.Reader {
	f, ok := stdin.(*os.File)
	if !ok || !tty {
		return stdin
	}
	in, err := reopen(f, unix.O_RDONLY)
	if err != nil {
		return stdin
	}
	return in
}

// localOutput is what the program's output is mirrored to: stdout, or,
// when stdout is a terminal or a pipe, a non-blocking open file of its own
// (reopened like localInput's) written by raw calls (rawFile), so a write
// that the kernel stretches does not cost ct wrap its only P (issue 17.3).
// A write that fails there is done again on stdout itself, so errors are
// stdout's own: a closed pipe still ends ct wrap by SIGPIPE, as Go does for
// stdout. Anything else (a regular file, whose offset the two open files
// would not share), or a reopen that fails, is written as it is. done
// closes what was opened.
func localOutput(stdout io.Writer) (out io.Writer, done func()) {
	f, ok := stdout.(*os.File)
	if !ok {
		return stdout, func() {}
	}
	var st unix.Stat_t
	if err := unix.Fstat(int(f.Fd()), &st); err != nil || (st.Mode&unix.S_IFMT != unix.S_IFIFO && !term.IsTerminal(int(f.Fd()))) {
		return stdout, func() {} // another device might not honour O_NONBLOCK
	}
	own, err := reopen(f, unix.O_WRONLY)
	if err != nil {
		return stdout, func() {}
	}
	raw := newRawFile(own)
	if raw == nil {
		_ = own.Close()
		return stdout, func() {}
	}
	return fallbackWriter{raw, f}, func() { _ = own.Close() }
}

// fallbackWriter writes to w, and what w could not take to then.
type fallbackWriter struct{ w, then io.Writer }

func (f fallbackWriter) Write(b []byte) (int, error) {
	n, err := f.w.Write(b)
	if err == nil {
		return n, nil
	}
	m, err := f.then.Write(b[n:])
	return n + m, err
}

// reopen opens f's file again through /proc/self/fd (a new open file on
// the same terminal or pipe, so its flags are its own), non-blocking and
// close-on-exec, registered with Go's poller; never as a controlling
// terminal.
func reopen(f *os.File, mode int) (*os.File, error) {
	fd, err := unix.Open("/proc/self/fd/"+strconv.Itoa(int(f.Fd())), mode|unix.O_NONBLOCK|unix.O_CLOEXEC|unix.O_NOCTTY, 0)
	if err != nil {
		return nil, err
	}
	return os.NewFile(uintptr(fd), f.Name()), nil
}
