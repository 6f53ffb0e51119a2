package e2e

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// smallFS mounts an 8 MiB tmpfs for a disk-full test, or skips saying why.
func smallFS(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "small")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("disk-full test skipped: this machine cannot mount a small tmpfs (needs root and mount permission): %v %s", err, bytes.TrimSpace(out))
	}
	t.Cleanup(func() { _ = exec.Command("umount", "-l", dir).Run() })
	return dir
}

// fill writes path until the filesystem has no room left.
func fill(t *testing.T, path string) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, size := range []int{1 << 16, 1 << 10, 1} {
		block := make([]byte, size)
		for {
			if _, err := f.Write(block); err != nil {
				if !errors.Is(err, syscall.ENOSPC) {
					t.Fatalf("fill the disk: %v", err)
				}
				break
			}
		}
	}
}

func healthStatus(url string) (int, string) {
	resp, err := http.Get(url + "/healthz")
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// The hub's disk fills while a program streams and frees up later (twice):
// /healthz says 503 with the reason while it is full, the wrap keeps its
// output spooled, and once space returns the hub stores it all by itself.
// The log equals what the program wrote, nothing dropped or doubled.
func TestDiskFullThenFreed(t *testing.T) {
	dir := smallFS(t)
	data := filepath.Join(dir, "data")
	// No free-space floor: this test fills the disk on purpose and checks
	// that the hub stores everything once space returns.
	h := StartHub(t, data, "127.0.0.1:0", "--min-free-disk", "0")
	const chunks, per = 60, 1000 // 60,000 lines, 660 KB; a chunk every 50 ms
	want := numberedBytes(chunks, per)
	w := StartWrap(t, nil, "--hub", h.URL, "--name", "diskfull", "--", "bash", "-c",
		numberedScript(chunks, per, "0.05")+"; read x; exit 3")
	s := SessionFor(t, h.URL, "diskfull")
	filler := filepath.Join(dir, "filler")
	for cycle, at := range []int{len(want) / 5, len(want) / 2} {
		WaitFor(t, 30*time.Second, "output before the disk fills", func() bool { return len(w.Stdout.Bytes()) >= at })
		fill(t, filler)
		WaitFor(t, 30*time.Second, "/healthz 503 on a full disk", func() bool {
			code, body := healthStatus(h.URL)
			return code == http.StatusServiceUnavailable && strings.Contains(body, "store writes failing")
		})
		full := len(w.Stdout.Bytes())
		WaitFor(t, 30*time.Second, "more output while the disk is full", func() bool { return len(w.Stdout.Bytes()) > full+50000 })
		if err := os.Remove(filler); err != nil {
			t.Fatal(err)
		}
		WaitFor(t, 30*time.Second, "/healthz 200 once space returns", func() bool {
			code, _ := healthStatus(h.URL)
			return code == http.StatusOK
		})
		t.Logf("cycle %d: disk full at %d of %d bytes shown", cycle, full, len(want))
	}
	waitStdout(t, w, "L00060000")
	st, _ := sessionByID(h.URL, s.ID)
	if st.Status != "live" {
		t.Fatalf("session is %s after the disk came back, want live", st.Status)
	}
	postInput(t, h.URL, s.ID, "\r")
	if code := w.Wait(t, 30*time.Second); code != 3 {
		t.Fatalf("wrap exit code %d, want 3; stderr: %s", code, w.Stderr.String())
	}
	end := waitEnded(t, h.URL, s.ID, 3)
	got := []byte(Get(h.URL + "/api/v1/sessions/" + s.ID + "/log"))
	local := w.Stdout.Bytes()
	if !bytes.HasPrefix(local, want) {
		t.Fatalf("local output is not the program's: %s", firstDiff(local, want))
	}
	if !bytes.Equal(got, local) {
		t.Fatalf("hub log (%d bytes) differs from the local output (%d): %s", len(got), len(local), firstDiff(got, local))
	}
	if end.Bytes != int64(len(local)) || end.Dropped != 0 {
		t.Fatalf("session counts %d bytes (%d dropped), want %d (0)", end.Bytes, end.Dropped, len(local))
	}
}
