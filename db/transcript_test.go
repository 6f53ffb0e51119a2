package db

import (
	"errors"
	"testing"

	"github.com/ct-dev/ct/wire"
)

func txEvent(t *testing.T, sid string, seq uint64, kind, text string) wire.Envelope {
	t.Helper()
	e, err := wire.New(wire.TypeTranscriptEntry, wire.TranscriptEntry{Kind: kind, Text: text})
	if err != nil {
		t.Fatal(err)
	}
	e.SessionID, e.Seq = sid, seq
	return e
}

func TestTranscriptReadsEntriesInOrderAmongOutput(t *testing.T) {
	dir := t.TempDir()
	s := openStore(t, dir)
	newSession(t, s, "sess-tx01")
	out := wire.Envelope{V: wire.Version, Type: wire.TypePtyOutput, SessionID: "sess-tx01", Seq: 1, Data: []byte(`"type":"transcript.entry" in output is not an entry`)}
	batch := []wire.Envelope{
		out,
		txEvent(t, "sess-tx01", 2, wire.EntryUser, "hello"),
		txEvent(t, "sess-tx01", 3, wire.EntryAssistant, "hi **there**"),
	}
	if _, err := s.AppendEvents(batch); err != nil {
		t.Fatal(err)
	}
	// A reconnect resends 3 (a duplicate, skipped) and adds 4.
	if _, err := s.AppendEvents([]wire.Envelope{batch[2], txEvent(t, "sess-tx01", 4, wire.EntryToolCall, "")}); err != nil {
		t.Fatal(err)
	}
	got, err := s.Transcript("sess-tx01")
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		seq  uint64
		kind string
	}{{2, wire.EntryUser}, {3, wire.EntryAssistant}, {4, wire.EntryToolCall}}
	if len(got) != len(want) {
		t.Fatalf("got %+v", got)
	}
	for i, w := range want {
		if got[i].Seq != w.seq || got[i].Kind != w.kind {
			t.Errorf("entry %d = %+v, want %+v", i, got[i], w)
		}
	}
	// It survives a reopen.
	s.Close()
	s2 := openStore(t, dir)
	if again, err := s2.Transcript("sess-tx01"); err != nil || len(again) != 3 {
		t.Fatalf("after reopen: %d entries, %v", len(again), err)
	}
}

func TestTranscriptOfUnknownAndEmptySessions(t *testing.T) {
	s := openStore(t, t.TempDir())
	if _, err := s.Transcript("nope"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown session: %v", err)
	}
	newSession(t, s, "sess-tx02")
	if got, err := s.Transcript("sess-tx02"); err != nil || len(got) != 0 {
		t.Fatalf("empty session: %+v %v", got, err)
	}
}
