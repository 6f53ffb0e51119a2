package db

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func opsFilled(t *testing.T, dir string) *Store {
	t.Helper()
	s := opsOpen(t, dir)
	now := time.Now().UTC().Truncate(time.Second)
	opsSession(t, s, "one", now.Add(-time.Hour), 300, now.Add(-time.Minute))
	opsSession(t, s, "two", now.Add(-time.Minute), 20, time.Time{})
	if err := s.PutNode(Node{Name: "box", Hostname: "box.lan", OS: "linux", LastSeen: now}); err != nil {
		t.Fatal(err)
	}
	return s
}

// A hot backup restored into another directory holds the same sessions,
// nodes, logs and usage.
func TestBackupRestoreRoundTrip(t *testing.T) {
	s := opsFilled(t, t.TempDir())
	var buf bytes.Buffer
	var announced int64
	n, err := s.Backup(func(size int64, _ AuditHead) io.Writer { announced = size; return &buf })
	if err != nil {
		t.Fatal(err)
	}
	if n != announced || n != int64(buf.Len()) || n == 0 {
		t.Fatalf("backup wrote %d bytes, announced %d, buffer %d", n, announced, buf.Len())
	}
	dir := filepath.Join(t.TempDir(), "restored")
	c, kept, err := Restore(dir, &buf, false)
	if err != nil {
		t.Fatal(err)
	}
	if c.Schema != SchemaVersion || c.Sessions != 2 || c.Nodes != 1 || kept != "" {
		t.Fatalf("restore check %+v kept %q", c, kept)
	}
	r := opsOpen(t, dir)
	opsSame(t, opsDumpStore(t, s), opsDumpStore(t, r))
	if opsUsage(t, r) != opsUsage(t, s) {
		t.Fatalf("usage %+v after restore, was %+v", opsUsage(t, r), opsUsage(t, s))
	}
}

// Restore never replaces a store by accident, never while a hub holds it,
// and never with something that is not a whole ct store.
func TestRestoreRefusals(t *testing.T) {
	src := opsFilled(t, t.TempDir())
	var good bytes.Buffer
	if _, err := src.Backup(func(int64, AuditHead) io.Writer { return &good }); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	s := opsOpen(t, dir)
	opsSession(t, s, "mine", time.Now(), 5, time.Time{})
	if _, _, err := Restore(dir, bytes.NewReader(good.Bytes()), true); err == nil || !strings.Contains(err.Error(), "stop the hub first") {
		t.Fatalf("restore over a store in use: %v", err)
	}
	s.Close()
	if _, _, err := Restore(dir, bytes.NewReader(good.Bytes()), false); err == nil || !strings.Contains(err.Error(), "--force") {
		t.Fatalf("restore over a store without --force: %v", err)
	}
	for name, data := range map[string][]byte{
		"garbage":     []byte("definitely not a bbolt file, but long enough to look like one maybe"),
		"cut short":   good.Bytes()[:good.Len()/2],
		"empty input": nil,
	} {
		if _, _, err := Restore(dir, bytes.NewReader(data), true); err == nil || !strings.Contains(err.Error(), "nothing changed") {
			t.Fatalf("restore of %s: %v", name, err)
		}
	}
	left, _ := filepath.Glob(filepath.Join(dir, "*"))
	if len(left) != 1 {
		t.Fatalf("refused restores left files behind: %q", left)
	}
	if _, err := opsGetSessionIn(dir, "mine"); err != nil {
		t.Fatalf("the store was changed by a refused restore: %v", err)
	}

	_, kept, err := Restore(dir, bytes.NewReader(good.Bytes()), true)
	if err != nil {
		t.Fatal(err)
	}
	if c, err := Inspect(kept); err != nil || c.Sessions != 1 {
		t.Fatalf("the replaced store was not kept whole at %q: %+v %v", kept, c, err)
	}
	r := opsOpen(t, dir)
	opsSame(t, opsDumpStore(t, src), opsDumpStore(t, r))
}

// opsGetSessionIn opens the store in dir just to read one session.
func opsGetSessionIn(dir, id string) (Session, error) {
	s, err := Open(dir)
	if err != nil {
		return Session{}, err
	}
	defer s.Close()
	return s.GetSession(id)
}

// Compacting after retention gives the freed space back and keeps the data.
func TestCompact(t *testing.T) {
	dir := t.TempDir()
	s := opsFilled(t, dir)
	now := time.Now()
	for _, id := range []string{"x1", "x2", "x3"} {
		opsSession(t, s, id, now.Add(-50*24*time.Hour), 3000, now.Add(-40*24*time.Hour))
	}
	if _, err := s.TrimEnded(context.Background(), now.Add(-30*24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	want := opsDumpStore(t, s)
	if _, _, err := Compact(dir); err == nil || !strings.Contains(err.Error(), "stop the hub first") {
		t.Fatalf("compact while open: %v", err)
	}
	s.Close()
	before, after, err := Compact(dir)
	if err != nil {
		t.Fatal(err)
	}
	if after >= before {
		t.Fatalf("compact: %d -> %d bytes, want smaller", before, after)
	}
	fi, _ := os.Stat(filepath.Join(dir, FileName))
	if fi.Size() != after {
		t.Fatalf("file is %d bytes, compact said %d", fi.Size(), after)
	}
	opsSame(t, want, opsDumpStore(t, opsOpen(t, dir)))
	if _, _, err := Compact(t.TempDir()); err == nil || !strings.Contains(err.Error(), "no store") {
		t.Fatalf("compact of an empty dir: %v", err)
	}
}
