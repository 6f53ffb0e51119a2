package db

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"testing"

	"github.com/ct-dev/ct/wire"
	bolt "go.etcd.io/bbolt"
)

// A store written before the transcript index existed (simulated by
// dropping the bucket) gets its index built at open: its transcript reads
// the same as before.
func TestTranscriptIndexBuiltForOlderStore(t *testing.T) {
	dir := t.TempDir()
	s := openStore(t, dir)
	newSession(t, s, "sess-ix01")
	out := wire.Envelope{V: wire.Version, Type: wire.TypePtyOutput, SessionID: "sess-ix01", Seq: 1, Data: []byte("output")}
	if _, err := s.AppendEvents([]wire.Envelope{out, txEvent(t, "sess-ix01", 2, wire.EntryUser, "hello"), txEvent(t, "sess-ix01", 3, wire.EntryAssistant, "hi")}); err != nil {
		t.Fatal(err)
	}
	if err := s.bolt.Update(func(tx *bolt.Tx) error { return tx.DeleteBucket(bucketTranscripts) }); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s2 := openStore(t, dir)
	got, err := s2.Transcript("sess-ix01")
	if err != nil || len(got) != 2 || got[0].Seq != 2 || got[1].Text != "hi" {
		t.Fatalf("after the index was rebuilt: %+v %v", got, err)
	}
}

// Entries whose frames the log bound trimmed are skipped, and the rest read
// in order; deleting a whole log drops its index with it.
func TestTranscriptIndexAfterTrim(t *testing.T) {
	s := openStore(t, t.TempDir())
	newSession(t, s, "sess-ix02")
	big := bytes.Repeat([]byte("x"), 600<<10)
	batch := []wire.Envelope{txEvent(t, "sess-ix02", 1, wire.EntryUser, "old")}
	for i := uint64(2); i <= 5; i++ {
		batch = append(batch, wire.Envelope{V: wire.Version, Type: wire.TypePtyOutput, SessionID: "sess-ix02", Seq: i, Data: big})
	}
	batch = append(batch, txEvent(t, "sess-ix02", 6, wire.EntryAssistant, "new"))
	if _, err := s.AppendEvents(batch); err != nil {
		t.Fatal(err)
	}
	if _, err := s.TrimLong(context.Background(), MinSessionLog); err != nil {
		t.Fatal(err)
	}
	got, err := s.Transcript("sess-ix02")
	if err != nil || len(got) != 1 || got[0].Text != "new" {
		t.Fatalf("after trimming: %+v %v", got, err)
	}
}

var flagBigSession = flag.Int("bigsession", 1024, "MiB of output in BenchmarkTranscriptBigSession's session")

// BenchmarkTranscriptBigSession reads the transcript of a session with
// -bigsession MiB of stored output (default 1 GiB, as in issue 17) and 200
// transcript entries spread through it. The figure is ns/op for one
// Transcript call; before the index it scanned every frame.
//
//	go test ./db -run '^$' -bench TranscriptBigSession -benchtime 20x
func BenchmarkTranscriptBigSession(b *testing.B) {
	s, err := Open(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	if _, err := s.UpsertSession(Session{ID: "sess-big", Command: "claude", Status: StatusLive}); err != nil {
		b.Fatal(err)
	}
	// 4 KiB frames: a busy session's output arrives in frames of a few
	// KiB (a flood coalesces up to 64 KiB, a prompt's echo is bytes).
	frame := bytes.Repeat([]byte("y"), 4<<10)
	frames := *flagBigSession << 8
	every := max(frames/200, 1)
	seq := uint64(0)
	for done := 0; done < frames; {
		var batch []wire.Envelope
		for n := 0; n < 2048 && done < frames; n++ {
			seq++
			if done%every == 0 {
				e, _ := wire.New(wire.TypeTranscriptEntry, wire.TranscriptEntry{Kind: wire.EntryAssistant, Text: fmt.Sprint("entry ", seq)})
				e.SessionID, e.Seq = "sess-big", seq
				batch = append(batch, e)
				seq++
			}
			batch = append(batch, wire.Envelope{V: wire.Version, Type: wire.TypePtyOutput, SessionID: "sess-big", Seq: seq, Data: frame})
			done++
		}
		if _, err := s.AppendEvents(batch); err != nil {
			b.Fatal(err)
		}
	}
	b.Run("index", func(b *testing.B) {
		for range b.N {
			if got, err := s.Transcript("sess-big"); err != nil || len(got) < 200 {
				b.Fatalf("%d entries, %v", len(got), err)
			}
		}
	})
	// The baseline, in the same run: the scan Transcript did before the
	// index (every frame's head looked at).
	b.Run("scan", func(b *testing.B) {
		for range b.N {
			if n := scanTranscript(b, s, "sess-big"); n < 200 {
				b.Fatalf("%d entries", n)
			}
		}
	})
}

func scanTranscript(b *testing.B, s *Store, id string) int {
	n := 0
	err := s.bolt.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketLogs).Bucket([]byte(id)).ForEach(func(k, v []byte) error {
			if isTranscriptFrame(v) {
				if _, ok, err := decodeTranscriptFrame(id, k, v); err != nil || ok {
					n++
				}
			}
			return nil
		})
	})
	if err != nil {
		b.Fatal(err)
	}
	return n
}
