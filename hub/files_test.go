package hub

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/ct-dev/ct/wire"
)

// A peer's request reaches the sharing wrap as files.list / files.get and
// the wrap's answer comes back to it; a session that shares nothing, or is
// offline, is told so without asking the wrap.
func TestFilesRoutedThroughWrap(t *testing.T) {
	th := newTestHub(t)
	tr, done, _ := th.connectAs(t, "sess-files", wire.SessionStart{Command: "bash", Cwd: "/tmp", Cols: 40, Rows: 5, StartedAt: time.Now().UTC(), Shares: []string{"src"}})
	if names, err := th.Shares("sess-files"); err != nil || len(names) != 1 || names[0] != "src" {
		t.Fatalf("Shares = %v, %v", names, err)
	}
	// The test plays the wrap: answer each request as it comes.
	go func() {
		for n := 0; n < 3; {
			e := <-tr.fromHub // no Fatal off the test's goroutine: the calls below fail instead
			if e.Type != wire.TypeFilesList && e.Type != wire.TypeFilesGet {
				continue // acks, settings
			}
			n++
			var req wire.FilesRequest
			_ = e.Decode(&req)
			var ans wire.Envelope
			switch {
			case e.Type == wire.TypeFilesList:
				ans = envelope(t, wire.TypeFilesListed, wire.FilesListed{Request: req.Request, Path: req.Path, Entries: []wire.FileEntry{{Name: "a.txt", Type: "file", Size: 5}}})
			case req.Path == "src/a.txt":
				ans = envelope(t, wire.TypeFilesGot, wire.FilesGot{Request: req.Request, Path: req.Path, Size: 5})
				ans.Data = []byte("hello")
			default:
				ans = envelope(t, wire.TypeFilesGot, wire.FilesGot{Request: req.Request, Path: req.Path, Error: "src/link is a symbolic link", Reason: wire.ReasonRefused})
			}
			tr.toHub <- ans
		}
	}()
	ctx := context.Background()
	l, err := th.ListFiles(ctx, "sess-files", "src", "bob")
	if err != nil || len(l.Entries) != 1 || l.Entries[0].Name != "a.txt" {
		t.Fatalf("ListFiles = %+v, %v", l, err)
	}
	if b, err := th.GetFile(ctx, "sess-files", "src/a.txt", "bob"); err != nil || string(b) != "hello" {
		t.Fatalf("GetFile = %q, %v", b, err)
	}
	var fe *FileError
	if _, err := th.GetFile(ctx, "sess-files", "src/link", "bob"); !errors.As(err, &fe) || fe.Reason != wire.ReasonRefused {
		t.Fatalf("a refused read = %v", err)
	}
	finish(t, tr, done)
	if _, err := th.ListFiles(ctx, "sess-files", "", "bob"); !errors.Is(err, ErrOffline) {
		t.Fatalf("offline: %v", err)
	}

	tr2, done2, _ := th.connect(t, "sess-none")
	if _, err := th.GetFile(ctx, "sess-none", "src/a.txt", "bob"); !errors.Is(err, ErrNoShares) {
		t.Fatalf("a session sharing nothing: %v", err)
	}
	finish(t, tr2, done2)
}

// A wrap that goes away while a request waits answers it as offline at
// once, not after the timeout.
func TestFilesWrapGoneWhileWaiting(t *testing.T) {
	th := newTestHub(t)
	tr, done, _ := th.connectAs(t, "sess-gone", wire.SessionStart{Command: "bash", Cwd: "/tmp", Cols: 40, Rows: 5, StartedAt: time.Now().UTC(), Shares: []string{"src"}})
	go func() {
		for e := range tr.fromHub {
			if e.Type == wire.TypeFilesGet {
				break
			}
		}
		tr.close()
	}()
	if _, err := th.GetFile(context.Background(), "sess-gone", "src/a.txt", "bob"); !errors.Is(err, ErrOffline) {
		t.Fatalf("wrap gone mid-request: %v", err)
	}
	<-done
}
