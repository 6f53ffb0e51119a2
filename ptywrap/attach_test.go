package ptywrap

import (
	"bytes"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/ct-dev/ct/wire"
)

func putEnv(t *testing.T, p wire.AttachPut, data []byte) wire.Envelope {
	t.Helper()
	e, err := wire.New(wire.TypeAttachPut, p)
	if err != nil {
		t.Fatal(err)
	}
	e.Data = data
	return e
}

// The composer's file lands whole in a private folder, only after its last
// chunk; a chunk out of order or a file past the session's bound is refused
// with what to do; the folder goes when the session ends.
func TestAttachSinkWritesPrivately(t *testing.T) {
	a := &attachSink{base: t.TempDir(), parts: map[string]*attachPart{}}
	data := bytes.Repeat([]byte("png!"), wire.AttachChunk/2) // two chunks
	if d := a.put(putEnv(t, wire.AttachPut{ID: "a1", Name: "shot.png", Size: int64(len(data))}, data[:wire.AttachChunk])); d != nil {
		t.Fatalf("answered after the first of two chunks: %+v", d)
	}
	d := a.put(putEnv(t, wire.AttachPut{ID: "a1", Name: "shot.png", Size: int64(len(data)), Off: wire.AttachChunk}, data[wire.AttachChunk:]))
	if d == nil || d.Error != "" || filepath.Base(d.Path) != "a1-shot.png" {
		t.Fatalf("done = %+v", d)
	}
	if b, err := os.ReadFile(d.Path); err != nil || !bytes.Equal(b, data) {
		t.Fatalf("the file holds %d bytes (%v), want %d", len(b), err, len(data))
	}
	if runtime.GOOS != "windows" {
		st, _ := os.Stat(filepath.Dir(d.Path))
		if st.Mode().Perm() != 0o700 {
			t.Errorf("folder mode %v, want 0700", st.Mode().Perm())
		}
	}

	// A chunk at the wrong offset: refused, the partial file removed.
	a.put(putEnv(t, wire.AttachPut{ID: "b2", Name: "x.txt", Size: 10}, []byte("12345")))
	if d := a.put(putEnv(t, wire.AttachPut{ID: "b2", Name: "x.txt", Size: 10, Off: 7}, []byte("890"))); d == nil || !strings.Contains(d.Error, "send it again") {
		t.Fatalf("out of order: %+v", d)
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(d.Path), "b2-x.txt")); !os.IsNotExist(err) {
		t.Errorf("the partial file stayed: %v", err)
	}
	// A name that is not clean (a path) is refused outright.
	if d := a.put(putEnv(t, wire.AttachPut{ID: "c3", Name: "../evil", Size: 1}, []byte("x"))); d == nil || d.Error == "" {
		t.Fatalf("a path as a name: %+v", d)
	}
	// Past the session's bound.
	a.total = wire.MaxAttachTotal
	if d := a.put(putEnv(t, wire.AttachPut{ID: "d4", Name: "y.txt", Size: 1}, []byte("y"))); d == nil || !strings.Contains(d.Error, "start a new session") {
		t.Fatalf("past the bound: %+v", d)
	}

	a.remove()
	if _, err := os.Stat(filepath.Dir(d.Path)); !os.IsNotExist(err) {
		t.Fatalf("the folder outlived the session: %v", err)
	}
	if d := a.put(putEnv(t, wire.AttachPut{ID: "e5", Name: "z.txt", Size: 1}, []byte("z"))); d == nil || d.Error == "" {
		t.Fatalf("after the end: %+v", d)
	}
}
