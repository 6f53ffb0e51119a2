package ptywrap

import (
	"io"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
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
	fd, err := unix.Open("/proc/self/fd/"+strconv.Itoa(int(f.Fd())), unix.O_RDONLY|unix.O_NONBLOCK|unix.O_CLOEXEC|unix.O_NOCTTY, 0)
	if err != nil {
		return stdin
	}
	return os.NewFile(uintptr(fd), f.Name()) // non-blocking: registered with the poller
}
