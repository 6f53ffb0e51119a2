package audit

import (
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

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

// TestBatchWaitHoldsThenStoresInOrder: with BatchWait, entries typed close
// together wait for one transaction instead of a commit (and head file)
// each (issue 17); Flush stores them at once, in order, and Close stores
// what still waits.
func TestBatchWaitHoldsThenStoresInOrder(t *testing.T) {
	store, err := db.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	l := NewWith(store, slog.New(slog.NewTextHandler(io.Discard, nil)), Options{BatchWait: time.Minute})
	for i := range 10 {
		l.Record("alice", "input", fmt.Sprint(i), "127.0.0.1")
	}
	if got, _ := store.AuditEntries(100, 0); len(got) != 0 {
		t.Fatalf("%d entries stored before the batch's wait ended or a flush, want 0", len(got))
	}
	l.Flush()
	got, err := store.AuditEntries(100, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 10 {
		t.Fatalf("%d entries stored after Flush, want 10", len(got))
	}
	for i, e := range got { // newest first
		if want := fmt.Sprint(9 - i); e.Subject != want {
			t.Fatalf("entry %d is %q, want %q: the log is out of order", i, e.Subject, want)
		}
	}
	l.Record("alice", "input", "after", "127.0.0.1")
	l.Close()
	l.Flush() // after Close: returns at once
	if got, _ := store.AuditEntries(100, 0); len(got) != 11 || got[0].Subject != "after" {
		t.Fatalf("after Close: %d entries, newest %q; want 11, newest \"after\"", len(got), got[0].Subject)
	}
	if rep, err := store.VerifyAudit(); err != nil || rep.BrokenAt != 0 {
		t.Fatalf("chain: %+v %v", rep, err)
	}
}

// TestBatchWaitCommitsOnItsOwn: a batch waits BatchWait, then is stored
// without anyone flushing.
func TestBatchWaitCommitsOnItsOwn(t *testing.T) {
	store, err := db.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	l := NewWith(store, slog.New(slog.NewTextHandler(io.Discard, nil)), Options{BatchWait: 5 * time.Millisecond})
	defer l.Close()
	l.Record("alice", "input", "x", "127.0.0.1")
	for deadline := time.Now().Add(10 * time.Second); ; {
		if got, _ := store.AuditEntries(10, 0); len(got) == 1 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the entry was not stored 10 s after its batch's 5 ms wait")
		}
		time.Sleep(5 * time.Millisecond) // polling the store
	}
}

// TestBatchWaitOnlyForInput: typed input may wait for company, but any other
// entry (a decision) is committed at once together with the input queued
// before it — a crash must never lose an acknowledged decision.
func TestBatchWaitOnlyForInput(t *testing.T) {
	store, err := db.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	l := NewWith(store, slog.New(slog.NewTextHandler(io.Discard, nil)), Options{BatchWait: time.Hour})
	defer l.Close()
	l.Record("alice", "input", "s1 3 bytes", "127.0.0.1")
	l.Record("alice", "input", "s1 1 bytes", "127.0.0.1")
	l.Record("alice", "prompt.decide", "p1 allow", "127.0.0.1")
	deadline := time.Now().Add(10 * time.Second) // against an hour's batch wait
	for {
		got, err := store.AuditEntries(100, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) == 3 {
			if got[0].Action != "prompt.decide" || got[2].Subject != "s1 3 bytes" {
				t.Fatalf("stored %+v: want the two inputs then the decision, in order", got)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d entries stored; want the decision and the input before it committed at once", len(got))
		}
		time.Sleep(5 * time.Millisecond)
	}
}
