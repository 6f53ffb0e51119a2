package ptywrap

import (
	"bytes"
	"os"
	"testing"

	"github.com/ct-dev/ct/wire"
)

func TestTailRoundTripAndTruncation(t *testing.T) {
	sp := newSpool(DefaultSpool)
	sp.addOutput([]byte("hello "))
	sp.addOutput(bytes.Repeat([]byte("x"), 3*maxFrame)) // several frames
	end, _ := wire.New(wire.TypeSessionEnd, wire.SessionEnd{ExitCode: 7})
	sp.add(end)
	dir := t.TempDir()
	path, err := saveTail(dir, tailHeader{Hub: "http://127.0.0.1:1", Session: "s1", Start: wire.SessionStart{Command: "bash"}}, sp)
	if err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v, want 0600", fi.Mode())
	}
	h, got, err := loadTail(path)
	if err != nil {
		t.Fatal(err)
	}
	if h.Session != "s1" || h.Start.Command != "bash" || len(got.events) != len(sp.events) || got.seq != sp.seq || got.bytes != sp.bytes {
		t.Fatalf("read back %+v: %d events seq %d, want %d events seq %d", h, len(got.events), got.seq, len(sp.events), sp.seq)
	}
	for i := range got.events {
		if got.events[i].Seq != sp.events[i].Seq || !bytes.Equal(got.events[i].Data, sp.events[i].Data) || got.events[i].SessionID != "s1" {
			t.Fatalf("event %d differs", i)
		}
	}
	// A file cut short (a full disk) is refused whole, never half-sent.
	b, _ := os.ReadFile(path)
	if err := os.WriteFile(path, b[:len(b)-10], 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := loadTail(path); err == nil {
		t.Fatal("a truncated tail was accepted")
	}
	if got := PendingTails(dir); len(got) != 1 {
		t.Fatalf("PendingTails = %v", got)
	}
}
