package db

import (
	"bytes"
	"context"
	"encoding/binary"
	"testing"

	"github.com/ct-dev/ct/wire"
	bolt "go.etcd.io/bbolt"
)

// appendChunks stores n output events of size bytes each after seq from.
func appendChunks(t *testing.T, s *Store, id string, from uint64, n, size int) uint64 {
	t.Helper()
	data := string(bytes.Repeat([]byte("x"), size))
	for i := 0; i < n; i += 64 {
		var evs []wire.Envelope
		for j := i; j < min(i+64, n); j++ {
			from++
			evs = append(evs, output(id, from, data))
		}
		if _, err := s.AppendEvents(evs); err != nil {
			t.Fatal(err)
		}
	}
	return from
}

// logFrames is the bytes of the frames id's log holds, counted the slow way.
func logFrames(t *testing.T, s *Store, id string) (n int64, first uint64) {
	t.Helper()
	_ = s.bolt.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketLogs).Bucket([]byte(id)).ForEach(func(k, v []byte) error {
			if first == 0 {
				first = binary.BigEndian.Uint64(k)
			}
			n += int64(len(v))
			return nil
		})
	})
	return n, first
}

// Issue 13 finding 6: retention could not bound one long live session. With
// a bound, the oldest part of a live session's log goes, in small
// transactions; the session says from where its log is whole; the durable
// mark stays, so new events still append and resends of trimmed ones are
// still duplicates.
func TestTrimLongBoundsLiveSession(t *testing.T) {
	s := openStore(t, t.TempDir())
	newSession(t, s, "long-live")
	newSession(t, s, "short")
	last := appendChunks(t, s, "long-live", 0, 768, 4096) // 3 MiB of output
	appendChunks(t, s, "short", 0, 10, 100)
	tx0 := txID(t, s)
	res, err := s.TrimLong(context.Background(), MinSessionLog)
	if err != nil {
		t.Fatal(err)
	}
	if res.Sessions != 1 || res.Events == 0 {
		t.Fatalf("trim result %+v, want 1 session trimmed", res)
	}
	if txs := txID(t, s) - tx0; txs < 3 {
		t.Fatalf("trimmed %d bytes in %d write transactions; want small ones", res.Bytes, txs)
	}
	ss, _ := s.GetSession("long-live")
	held, first := logFrames(t, s, "long-live")
	if held > MinSessionLog || held < MinSessionLog-8192 || ss.LogBytes != held {
		t.Fatalf("log holds %d bytes (record says %d), want just under %d", held, ss.LogBytes, MinSessionLog)
	}
	if ss.TrimmedBefore != first || first <= 1 {
		t.Fatalf("trimmed_before %d, first event kept %d", ss.TrimmedBefore, first)
	}
	if ss.LastSeq != last || ss.Status != StatusLive || ss.OutputBytes != 768*4096 {
		t.Fatalf("the durable mark or counters moved: %+v", ss)
	}
	if u := opsUsage(t, s); u != opsCount(t, s) {
		t.Fatalf("usage %+v, logs hold %+v", u, opsCount(t, s))
	}
	if short, _ := s.GetSession("short"); short.TrimmedBefore != 0 || len(readAll(t, s, "short", 0)) != 10 {
		t.Fatalf("a short log was trimmed: %+v", short)
	}
	// A resend of a trimmed event is a duplicate; the next one appends.
	acked, err := s.AppendEvents([]wire.Envelope{output("long-live", 2, "again"), output("long-live", last+1, "new")})
	if err != nil || acked["long-live"] != last+1 {
		t.Fatalf("append after trimming: acked %v, %v", acked, err)
	}
	if evs := readAll(t, s, "long-live", 0); evs[0].Seq != first || string(evs[len(evs)-1].Data) != "new" {
		t.Fatalf("log after trimming starts at %d, ends %q", evs[0].Seq, evs[len(evs)-1].Data)
	}
	if start, err := s.TailStart("long-live", 512<<10); err != nil || start < first {
		t.Fatalf("screen replay starts after %d, before the cut at %d (%v)", start, first, err)
	}
}

// A record from before log sizes were kept is sized by the first pass, then
// bounded like any other.
func TestTrimLongSizesOldRecords(t *testing.T) {
	s := openStore(t, t.TempDir())
	newSession(t, s, "old-record")
	appendChunks(t, s, "old-record", 0, 1200, 2048) // 2.3 MiB, more than one sizing chunk
	if err := s.bolt.Update(func(tx *bolt.Tx) error {
		ss, err := getSession(tx, "old-record")
		ss.LogBytes, ss.LogSized = 0, false
		if err != nil {
			return err
		}
		return putSession(tx, ss)
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.TrimLong(context.Background(), MinSessionLog); err != nil {
		t.Fatal(err)
	}
	ss, _ := s.GetSession("old-record")
	held, _ := logFrames(t, s, "old-record")
	if !ss.LogSized || ss.LogBytes != held || held > MinSessionLog || ss.TrimmedBefore == 0 {
		t.Fatalf("old record after a pass: %+v, log holds %d", ss, held)
	}
}
