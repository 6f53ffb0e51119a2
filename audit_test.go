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

	// Cut the newest two entries straight out of the file.
	bdb, err := bolt.Open(filepath.Join(dir, "ct.db"), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := bdb.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte("audit"))
		for _, seq := range []uint64{4, 5} {
			k := make([]byte, 8)
			binary.BigEndian.PutUint64(k, seq)
			if err := b.Delete(k); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	bdb.Close()
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
