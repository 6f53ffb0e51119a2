package ptywrap

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"testing"
	"time"

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
	cmd := exec.Command("sh", "-c", `(trap '' HUP; exec sleep 60) & echo started`)
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
	if !bytes.Contains(out.Bytes(), []byte("started")) {
		t.Fatalf("output %q lacks what the program wrote", out.Bytes())
	}
}
