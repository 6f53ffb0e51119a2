package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ct-dev/ct/audit"
	"github.com/ct-dev/ct/db"
	bolt "go.etcd.io/bbolt"
)

// Truncation: someone with the store cuts off the newest audit entries.
// The shorter chain is whole, so only the signed head shows it, and a
// head recorded elsewhere (--head) does too, even if the head file is put
// back to an older signed one.
func TestAuditVerifyDetectsTruncation(t *testing.T) {
	dir := t.TempDir()
	store, err := db.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	key, err := audit.LoadKey(filepath.Join(dir, audit.KeyFile))
	if err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(filepath.Join(dir, audit.KeyFile)); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v %v", fi, err)
	}
	l := audit.NewWith(store, slog.New(slog.DiscardHandler), audit.Options{Key: key, HeadPath: filepath.Join(dir, audit.HeadFile)})
	for i := range 5 {
		l.Record("alice", "prompt.decide", fmt.Sprintf("p%d allow", i), "")
	}
	l.Close()
	head := l.Head()
	oldHead, _ := os.ReadFile(filepath.Join(dir, audit.HeadFile))
	store.Close()
	verify := func(extra ...string) (string, error) {
		var out bytes.Buffer
		err := runAudit(context.Background(), append([]string{"verify", "--data", dir}, extra...), func(string) string { return "" }, &out, io.Discard)
		return out.String(), err
	}
	recorded := fmt.Sprintf("%d:%s", head.Seq, head.Hash)
	if out, err := verify("--head", recorded); err != nil || !strings.Contains(out, "5 entries") {
		t.Fatalf("whole log: %q, %v", out, err)
	}

	cutAudit(t, filepath.Join(dir, "ct.db"), 4, 5) // the newest two entries
	if _, err := verify(); err == nil || !strings.Contains(err.Error(), "truncated") {
		t.Fatalf("after truncation: %v, want it reported", err)
	}
	// A forged head file (no key) is caught by its signature.
	forged := fmt.Sprintf(`{"seq":3,"hash":"%s","mac":"00"}`, strings.Repeat("a", 64))
	if err := os.WriteFile(filepath.Join(dir, audit.HeadFile), []byte(forged), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := verify(); err == nil || !strings.Contains(err.Error(), "does not match the key") {
		t.Fatalf("a forged head: %v", err)
	}
	// Removing the head file is not a way out.
	os.Remove(filepath.Join(dir, audit.HeadFile))
	if _, err := verify(); err == nil || !strings.Contains(err.Error(), "no signed audit head") {
		t.Fatalf("no head file: %v", err)
	}
	// With the real head file back, both it and the recorded head show it.
	os.WriteFile(filepath.Join(dir, audit.HeadFile), oldHead, 0o600)
	if _, err := verify("--head", recorded); err == nil || !strings.Contains(err.Error(), "truncated") {
		t.Fatalf("against the recorded head: %v", err)
	}
}

// cutAudit deletes audit entries seqs straight out of the store file at
// path, as someone with the file (or a backup of it) could.
func cutAudit(t *testing.T, path string, seqs ...uint64) {
	t.Helper()
	bdb, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer bdb.Close()
	if err := bdb.Update(func(tx *bolt.Tx) error {
		for _, seq := range seqs {
			if err := tx.Bucket([]byte("audit")).Delete(binary.BigEndian.AppendUint64(nil, seq)); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

// Issue 12 finding 21: a backup carries the signed audit head it holds, so
// a restored store whose newest audit entries were cut from the backup
// file is caught by ct audit verify, with the backup's head file or --head;
// a forged head file is caught by its signature.
func TestBackupHeadChecksRestoredStore(t *testing.T) {
	hubDir, backups := t.TempDir(), t.TempDir()
	store, err := db.Open(hubDir)
	if err != nil {
		t.Fatal(err)
	}
	keyPath := filepath.Join(hubDir, audit.KeyFile)
	key, err := audit.LoadKey(keyPath)
	if err != nil {
		t.Fatal(err)
	}
	l := audit.NewWith(store, slog.New(slog.DiscardHandler), audit.Options{Key: key, HeadPath: filepath.Join(hubDir, audit.HeadFile)})
	for i := range 5 {
		l.Record("alice", "prompt.decide", fmt.Sprintf("p%d allow", i), "")
	}
	l.Close()
	file := filepath.Join(backups, "ct-backup.db")
	var copied bytes.Buffer
	var head db.AuditHead
	if _, err := store.Backup(func(_ int64, h db.AuditHead) io.Writer { head = h; return &copied }); err != nil {
		t.Fatal(err)
	}
	store.Close()
	if head.Seq != 5 {
		t.Fatalf("the backup's head is entry %d, want 5", head.Seq)
	}
	if err := os.WriteFile(file, copied.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := writeHeadFile(file, l.Anchor(head).String()); err != nil {
		t.Fatal(err)
	}
	restore := func(data string) {
		t.Helper()
		var out bytes.Buffer
		if err := runRestore(context.Background(), []string{"--data", data, "--force", file}, func(string) string { return "" }, nil, &out, io.Discard); err != nil {
			t.Fatalf("ct restore: %v", err)
		}
	}
	verify := func(data string, extra ...string) error {
		return runAudit(context.Background(), append([]string{"verify", "--data", data, "--audit-key-file", keyPath}, extra...), func(string) string { return "" }, io.Discard, io.Discard)
	}
	whole := t.TempDir()
	restore(whole)
	if err := verify(whole); err != nil {
		t.Fatalf("a whole restored store: %v", err)
	}
	if err := verify(whole, "--head", file+headSuffix); err != nil {
		t.Fatalf("a whole restored store against the backup's head file: %v", err)
	}

	cutAudit(t, file, 4, 5) // the backup file is tampered with
	cut := t.TempDir()
	restore(cut)
	if err := verify(cut); err == nil || !strings.Contains(err.Error(), "truncated") {
		t.Fatalf("a restore of a cut backup: %v, want truncation reported", err)
	}
	if err := verify(cut, "--head", file+headSuffix); err == nil || !strings.Contains(err.Error(), "truncated") {
		t.Fatalf("a cut backup against its head file: %v, want truncation reported", err)
	}
	forged := audit.Anchor{AuditHead: db.AuditHead{Seq: 3, Hash: head.Hash}, MAC: strings.Repeat("0", 64)}
	if err := verify(cut, "--head", forged.String()); err == nil || !strings.Contains(err.Error(), "forged") {
		t.Fatalf("a forged --head: %v", err)
	}
}
