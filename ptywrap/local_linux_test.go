package ptywrap

import (
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// A pipe on stdout gets its own non-blocking open file, written by raw
// calls (localOutput): every byte arrives, in order, across a full pipe
// (the writer waits in the poller), and stdout's own open file stays
// blocking.
func TestLocalOutputWritesThroughAFullPipe(t *testing.T) {
	r, w := testPipe(t)
	out, done := localOutput(w)
	defer done()
	fw, ok := out.(fallbackWriter)
	if !ok {
		t.Fatalf("a pipe was not reopened: %T", out)
	}
	var flags int
	if err := fw.w.(*rawFile).rc.Control(func(fd uintptr) { flags, _ = unix.FcntlInt(fd, unix.F_GETFL, 0) }); err != nil || flags&unix.O_NONBLOCK == 0 {
		t.Fatalf("the reopened pipe is blocking (flags %#x, %v): a raw write could stop every goroutine", flags, err)
	}
	if nb, err := nonblocking(w); err != nil || nb {
		t.Fatalf("stdout's own open file became non-blocking: %v (%v)", nb, err)
	}
	size, err := unix.FcntlInt(w.Fd(), unix.F_GETPIPE_SZ, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := bytes.Repeat([]byte("0123456789abcdef"), 64<<10) // 1 MiB, 16 default pipe buffers
	wrote := make(chan error, 1)
	go func() {
		n, err := out.Write(want)
		if err == nil && n != len(want) {
			err = io.ErrShortWrite
		}
		wrote <- err
	}()
	// Let the pipe fill before reading, so the writer meets EAGAIN.
	for deadline := time.Now().Add(10 * time.Second); ; {
		n, err := unix.IoctlGetInt(int(r.Fd()), unix.TIOCINQ) // FIONREAD: bytes waiting in the pipe
		if err != nil {
			t.Fatal(err)
		}
		if n >= size {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the pipe holds %d bytes after 10 s; the writer is stuck", n)
		}
		time.Sleep(time.Millisecond)
	}
	got := make([]byte, len(want))
	if _, err := io.ReadFull(r, got); err != nil {
		t.Fatal(err)
	}
	if err := <-wrote; err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("the bytes read differ from the bytes written")
	}
	r.Close()
	if _, err := out.Write([]byte("after the reader left")); !errors.Is(err, syscall.EPIPE) {
		t.Fatalf("write to a closed pipe: %v, want EPIPE", err)
	}
}

// A regular file on stdout is written as it is: a second open file would
// not share its offset.
func TestLocalOutputLeavesAFileAlone(t *testing.T) {
	f, err := os.Create(t.TempDir() + "/out")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if out, done := localOutput(f); out != io.Writer(f) {
		done()
		t.Fatalf("a regular file was replaced by %T", out)
	}
}

// When the reader of stdout's pipe is gone, ct wrap still ends by SIGPIPE,
// as a Go program writing stdout does: the failed raw write is done again
// on stdout itself.
func TestLocalOutputClosedPipeEndsBySIGPIPE(t *testing.T) {
	if os.Getenv("CT_TEST_SIGPIPE_CHILD") == "1" {
		out, _ := localOutput(os.Stdout)
		if _, ok := out.(fallbackWriter); !ok {
			os.Exit(4) // stdout was not reopened: the test would prove nothing
		}
		for range 1000 {
			_, _ = out.Write([]byte("line\n"))
			time.Sleep(time.Millisecond)
		}
		os.Exit(3) // not killed: the test fails
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestLocalOutputClosedPipeEndsBySIGPIPE$")
	cmd.Env = append(os.Environ(), "CT_TEST_SIGPIPE_CHILD=1")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 5)
	if _, err := io.ReadFull(stdout, buf); err != nil {
		t.Fatal(err)
	}
	stdout.Close()
	err = cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) {
		t.Fatalf("child ended with %v, want killed by SIGPIPE", err)
	}
	if ws, ok := ee.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGPIPE {
		t.Fatalf("child ended with %v, want killed by SIGPIPE", err)
	}
}

// A blocking descriptor is never read or written by raw calls: one that
// waited would stop every goroutine of ct wrap.
func TestRawFileRefusesABlockingDescriptor(t *testing.T) {
	r, _ := testPipe(t)
	if newRawFile(r) == nil {
		t.Fatal("a non-blocking pipe got no raw reader")
	}
	_ = r.Fd() // os.File.Fd switches the descriptor to blocking mode
	if newRawFile(r) != nil {
		t.Fatal("a blocking pipe got a raw reader")
	}
	if _, ok := ptyReader(r).(*rawFile); ok {
		t.Fatal("ptyReader reads a blocking master by raw calls")
	}
}

// testPipe is a pipe closed when the test ends.
func testPipe(t *testing.T) (r, w *os.File) {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close(); w.Close() })
	return r, w
}
