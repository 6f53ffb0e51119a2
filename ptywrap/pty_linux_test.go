package ptywrap

import (
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/creack/pty"
	"golang.org/x/sys/unix"
)

// The PTY master is read through Go's poller, not by blocking system calls
// (pollable): a read deadline bounds a read, the descriptor stays
// non-blocking across a resize, and the program sees the new size.
func TestPTYMasterIsPolled(t *testing.T) {
	cmd := exec.Command("sh", "-c", `stty -echo; read line; stty size; read line`)
	m, err := startPTY(cmd, 80, 24)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = m.Close(); _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	f := m.(unixPTY).File
	if _, ok := m.(unixPTY).r.(*rawFile); !ok {
		t.Fatalf("master read by %T, want raw calls (rawFile)", m.(unixPTY).r)
	}
	if nb, err := nonblocking(f); err != nil || !nb {
		t.Fatalf("master non-blocking after start: %v (%v); its reads would block a thread", nb, err)
	}
	if err := m.SetReadDeadline(time.Now().Add(50 * time.Millisecond)); err != nil {
		t.Fatalf("SetReadDeadline on the master: %v (a blocking descriptor cannot be bounded)", err)
	}
	buf := make([]byte, 256)
	for {
		if _, err := m.Read(buf); err != nil {
			if !errors.Is(err, os.ErrDeadlineExceeded) {
				t.Fatalf("read with nothing to read ended with %v, want the deadline", err)
			}
			break
		}
	}
	if err := m.Resize(100, 30); err != nil {
		t.Fatal(err)
	}
	if nb, err := nonblocking(f); err != nil || !nb {
		t.Fatalf("master non-blocking after a resize: %v (%v)", nb, err)
	}
	_ = m.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := m.Write([]byte("go\r")); err != nil {
		t.Fatal(err)
	}
	var got []byte
	for !bytes.Contains(got, []byte("30 100")) {
		n, err := m.Read(buf)
		if err != nil {
			t.Fatalf("waiting for the program to see 30 rows 100 columns: %v; output so far %q", err, got)
		}
		got = append(got, buf[:n]...)
	}
}

func nonblocking(f *os.File) (bool, error) {
	rc, err := f.SyscallConn()
	if err != nil {
		return false, err
	}
	var flags int
	var ferr error
	if err := rc.Control(func(fd uintptr) { flags, ferr = unix.FcntlInt(fd, unix.F_GETFL, 0) }); err != nil {
		return false, err
	}
	return flags&unix.O_NONBLOCK != 0, ferr
}

// When the program exits while a background child it left holds the PTY
// open and silent, the output copy still ends (the read under way at the
// exit is bounded), with everything the program wrote: the wrap must not
// wait for the child.
func TestOutputCopyEndsWhenASilentChildHoldsThePTY(t *testing.T) {
	cmd := exec.Command("sh", "-c", `(trap '' HUP; echo child up; exec sleep 60) & sleep 0.2; echo started`)
	m, err := startPTY(cmd, 80, 24)
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		_ = unix.Kill(-cmd.Process.Pid, unix.SIGKILL) // the sleeping child: same process group
		_ = m.Close()
	}()
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	var out bytes.Buffer
	sp := newSpool(1 << 20)
	copied := make(chan struct{})
	go func() { copyOutput(m, &out, sp, exited); close(copied) }()
	select {
	case <-copied:
	case <-time.After(30 * time.Second):
		t.Fatal("the output copy still waits 30 s after the program exited (the child sleeps 60 s)")
	}
	if !bytes.Contains(out.Bytes(), []byte("started")) || !bytes.Contains(out.Bytes(), []byte("child up")) {
		t.Fatalf("output %q lacks what the program and its child wrote", out.Bytes())
	}
	if err := unix.Kill(-cmd.Process.Pid, 0); err != nil {
		t.Fatalf("the child holding the PTY is gone (%v): the copy ended at the PTY's close, not by its deadline", err)
	}
}

// A terminal on stdin is read through its own non-blocking open file
// (localInput), while stdin's open file, shared with the user's shell,
// stays blocking; anything but a terminal is read as it is.
func TestLocalInputReopensTheTerminal(t *testing.T) {
	master, slave, err := pty.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer master.Close()
	defer slave.Close()
	if got := localInput(slave, false); got != io.Reader(slave) {
		t.Fatalf("not a terminal: got %T, want stdin itself", got)
	}
	in, ok := localInput(slave, true).(*os.File)
	if !ok || in == slave {
		t.Fatalf("a terminal was not reopened: %T", in)
	}
	defer in.Close()
	if nb, err := nonblocking(in); err != nil || !nb {
		t.Fatalf("reopened terminal non-blocking: %v (%v)", nb, err)
	}
	if nb, err := nonblocking(slave); err != nil || nb {
		t.Fatalf("stdin's own open file became non-blocking: %v (%v); the shell shares it", nb, err)
	}
	if _, err := master.Write([]byte("typed\n")); err != nil {
		t.Fatal(err)
	}
	_ = in.SetReadDeadline(time.Now().Add(10 * time.Second))
	buf := make([]byte, 64)
	n, err := in.Read(buf)
	if err != nil || !bytes.Contains(buf[:n], []byte("typed")) {
		t.Fatalf("read %q, %v from the reopened terminal", buf[:n], err)
	}
}
