package db

import (
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// The pending index follows every state change, and a store written before
// the index existed gets it on open.
func TestPendingIndex(t *testing.T) {
	dir := t.TempDir()
	s := openStore(t, dir)
	for i, st := range []string{PromptPending, PromptAllowed, PromptPending, PromptClosed} {
		if err := s.PutPrompt(Prompt{ID: string(rune('a' + i)), SessionID: "s", Node: "n", Tool: "Bash", State: st, CreatedAt: time.Now()}); err != nil {
			t.Fatal(err)
		}
	}
	ids := func() string {
		ps, err := s.Prompts(PromptFilter{State: PromptPending})
		if err != nil {
			t.Fatal(err)
		}
		out := ""
		for _, p := range ps {
			out += p.ID
		}
		return out
	}
	if got := ids(); got != "ca" {
		t.Fatalf("pending %q, want ca (newest first)", got)
	}
	if _, err := s.UpdatePrompt("a", func(p *Prompt) error { p.State = PromptDenied; return nil }); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ClosePending(PromptFilter{}, "hub-restart", ""); err != nil {
		t.Fatal(err)
	}
	if got := ids(); got != "" {
		t.Fatalf("pending %q after closing, want none", got)
	}
	// Drop the index as an older store would lack it; reopening rebuilds it.
	if err := s.PutPrompt(Prompt{ID: "e", State: PromptPending, CreatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	if err := s.bolt.Update(func(tx *bolt.Tx) error { return tx.DeleteBucket(bucketPending) }); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s = openStore(t, dir)
	if got := ids(); got != "e" {
		t.Fatalf("pending %q after rebuilding the index, want e", got)
	}
}
