package audit

import (
	"fmt"
	"io"
	"log/slog"
	"testing"

	"github.com/ct-dev/ct/db"
)

func TestLogStoresEveryEntryAndWritesAfterClose(t *testing.T) {
	store, err := db.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	l := New(store, slog.New(slog.NewTextHandler(io.Discard, nil)))
	const n = queueLen + 100 // past the queue: some entries are written directly
	for i := range n {
		l.Record("alice", "input", fmt.Sprint(i), "127.0.0.1")
	}
	l.Close()
	l.Record("hub", "wheel.auto", "late", "") // a timer firing after shutdown
	l.Close()                                 // twice is fine
	entries, err := store.AuditEntries(n+10, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != n+1 {
		t.Fatalf("%d entries stored, want %d", len(entries), n+1)
	}
	if entries[0].Subject != "late" || entries[0].Time.IsZero() {
		t.Fatalf("newest entry %+v, want the late one with a time", entries[0])
	}
	if rep, err := store.VerifyAudit(); err != nil || rep.BrokenAt != 0 {
		t.Fatalf("chain: %+v %v", rep, err)
	}
}
