package ptywrap

import (
	"io"
	"os"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// rawFile reads and writes a non-blocking descriptor that Go's poller
// waits on, making each read and write a raw system call (RawConn with
// syscall.RawSyscall) instead of one the scheduler is told about.
//
// Why: ct wrap runs its Go code on one P (wrapProcs). A system call that
// takes more than the runtime monitor's 20 µs tick — and a PTY read or a
// terminal write often does, because the kernel wakes the program or the
// terminal it unblocks and runs it first — loses that P: the monitor hands
// it to another thread, and the goroutine comes back on a third. Streaming
// 100 MiB that was ~35,000 context switches more than script(1) makes
// (BENCHMARKS.md, issue 17.3). A non-blocking descriptor's call cannot
// wait, so keeping the P through it costs nothing; when there is nothing
// to read or no room to write (EAGAIN) the goroutine parks in the poller
// as before, and read deadlines work as before.
type rawFile struct {
	name string
	rc   syscall.RawConn
}

// newRawFile returns f's raw reader/writer, or nil when f has none or is
// blocking: a raw call that blocks would stop every goroutine (pollable
// leaves the master blocking when it cannot switch it).
func newRawFile(f *os.File) *rawFile {
	rc, err := f.SyscallConn()
	if err != nil {
		return nil
	}
	flags, ferr := 0, error(nil)
	if err := rc.Control(func(fd uintptr) { flags, ferr = unix.FcntlInt(fd, unix.F_GETFL, 0) }); err != nil || ferr != nil || flags&unix.O_NONBLOCK == 0 {
		return nil
	}
	return &rawFile{name: f.Name(), rc: rc}
}

func (r *rawFile) Read(b []byte) (int, error) {
	if len(b) == 0 {
		return 0, nil
	}
	var n uintptr
	var errno syscall.Errno
	err := r.rc.Read(func(fd uintptr) bool {
		for {
			n, _, errno = syscall.RawSyscall(syscall.SYS_READ, fd, uintptr(unsafe.Pointer(&b[0])), uintptr(len(b)))
			if errno != syscall.EINTR {
				return errno != syscall.EAGAIN // EAGAIN: wait in the poller, then call again
			}
		}
	})
	switch {
	case err != nil: // the file was closed, or the read deadline passed
		return 0, err
	case errno != 0:
		return 0, &os.PathError{Op: "read", Path: r.name, Err: errno}
	case n == 0:
		return 0, io.EOF
	}
	return int(n), nil
}

// Write writes all of b, waiting in the poller whenever the descriptor is
// full; it stops at the first error.
func (r *rawFile) Write(b []byte) (int, error) {
	done := 0
	for done < len(b) {
		var errno syscall.Errno
		err := r.rc.Write(func(fd uintptr) bool {
			for {
				p := b[done:]
				var n uintptr
				n, _, errno = syscall.RawSyscall(syscall.SYS_WRITE, fd, uintptr(unsafe.Pointer(&p[0])), uintptr(len(p)))
				switch errno {
				case syscall.EINTR:
					continue
				case syscall.EAGAIN:
					return false
				case 0:
					if n == 0 {
						errno = syscall.EIO // no progress and no error: never spin holding the P
					}
					done += int(n)
				}
				return true
			}
		})
		if err != nil {
			return done, err
		}
		if errno != 0 {
			return done, &os.PathError{Op: "write", Path: r.name, Err: errno}
		}
	}
	return done, nil
}

// ptyReader is how copyOutput reads the PTY master: by raw calls when it is
// non-blocking (pollable), else as it is.
func ptyReader(f *os.File) io.Reader {
	if r := newRawFile(f); r != nil {
		return r
	}
	return f
}
