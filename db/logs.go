package db

import (
	"encoding/binary"
	"fmt"

	"github.com/ct-dev/ct/wire"
	bolt "go.etcd.io/bbolt"
)

// AppendEvents stores a batch of sequenced events in one transaction and
// returns, per session, the highest seq now durable. Events whose seq is not
// above the stored one are duplicates (a wrap resending after a reconnect) and
// are skipped, so a resend can never double a byte.
func (s *Store) AppendEvents(events []wire.Envelope) (map[string]uint64, error) {
	acked := make(map[string]uint64)
	err := s.bolt.Update(func(tx *bolt.Tx) error {
		sessions := make(map[string]*Session)
		var added Usage // counted into meta once per batch
		for _, e := range events {
			ss, ok := sessions[e.SessionID]
			if !ok {
				cur, err := getSession(tx, e.SessionID)
				if err != nil {
					return fmt.Errorf("append to session %s: %w", e.SessionID, err)
				}
				ss = &cur
				sessions[e.SessionID] = ss
			}
			if e.Seq <= ss.LastSeq {
				continue
			}
			if e.Seq != ss.LastSeq+1 && e.Type != wire.TypePtyDropped {
				// A gap the wrap did not declare: events before this one were
				// lost on the way in (a failed batch). Not storing it means not
				// acking it, so the wrap resends from the gap on its reconnect.
				continue
			}
			if err := appendEvent(tx, ss, e, &added); err != nil {
				return err
			}
		}
		if err := addUsage(tx, added.Events, added.Bytes); err != nil {
			return err
		}
		for id, ss := range sessions {
			if err := putSession(tx, *ss); err != nil {
				return err
			}
			acked[id] = ss.LastSeq
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return acked, nil
}

func appendEvent(tx *bolt.Tx, ss *Session, e wire.Envelope, added *Usage) error {
	logs, err := tx.Bucket(bucketLogs).CreateBucketIfNotExists([]byte(ss.ID))
	if err != nil {
		return fmt.Errorf("create log for %s: %w", ss.ID, err)
	}
	// Output is appended in seq order: bbolt's fill percent can be raised so
	// pages are packed full instead of split in half.
	logs.FillPercent = 0.95
	frame, err := wire.Marshal(e)
	if err != nil {
		return fmt.Errorf("%w: event %d of %s: %v", ErrUnstorable, e.Seq, ss.ID, err)
	}
	if err := logs.Put(seqKey(e.Seq), frame); err != nil {
		return fmt.Errorf("store event %d of %s: %w", e.Seq, ss.ID, err)
	}
	added.Events++
	added.Bytes += int64(len(frame))
	if ss.LogSized {
		ss.LogBytes += int64(len(frame))
	}
	ss.LastSeq = e.Seq
	ss.LastActivity = e.TS
	switch e.Type {
	case wire.TypePtyOutput:
		ss.OutputBytes += int64(len(e.Data))
	case wire.TypePtyDropped:
		var d wire.Dropped
		if e.Decode(&d) == nil {
			ss.DroppedBytes += d.Bytes
		}
	case wire.TypePtyResize:
		var r wire.Resize
		if e.Decode(&r) == nil && r.Cols > 0 && r.Rows > 0 {
			ss.Cols, ss.Rows = r.Cols, r.Rows
		}
	case wire.TypeTranscriptEntry:
		if err := indexTranscript(tx, ss.ID, e.Seq); err != nil {
			return fmt.Errorf("index transcript entry %d of %s: %w", e.Seq, ss.ID, err)
		}
		var en wire.TranscriptEntry
		if e.Decode(&en) == nil && en.Kind == wire.EntryUsage {
			return countUsage(tx, ss, en)
		}
	case wire.TypeSessionEnd:
		var end wire.SessionEnd
		if e.Decode(&end) == nil {
			code := end.ExitCode
			ss.ExitCode, ss.Signal, ss.EndedAt = &code, end.Signal, end.EndedAt
		}
		ss.Status = StatusEnded
	}
	return nil
}

// ReadLog calls fn for each event of session id with seq > after, in order.
// Events are copied out of the transaction before fn sees them.
func (s *Store) ReadLog(id string, after uint64, fn func(wire.Envelope) error) error {
	return s.bolt.View(func(tx *bolt.Tx) error {
		logs := tx.Bucket(bucketLogs).Bucket([]byte(id))
		if logs == nil {
			if tx.Bucket(bucketSessions).Get([]byte(id)) == nil {
				return ErrNotFound
			}
			return nil
		}
		c := logs.Cursor()
		for k, v := c.Seek(seqKey(after + 1)); k != nil; k, v = c.Next() {
			e, err := wire.Unmarshal(append([]byte(nil), v...))
			if err != nil {
				return fmt.Errorf("event %d of %s: %w", binary.BigEndian.Uint64(k), id, err)
			}
			if err := fn(e); err != nil {
				return err
			}
		}
		return nil
	})
}

// TailStart returns the seq after which the last ~maxBytes of output of a
// session begin, so a screen can be rebuilt without replaying a huge log.
func (s *Store) TailStart(id string, maxBytes int64) (uint64, error) {
	var start uint64
	err := s.bolt.View(func(tx *bolt.Tx) error {
		logs := tx.Bucket(bucketLogs).Bucket([]byte(id))
		if logs == nil {
			return nil
		}
		var n int64
		c := logs.Cursor()
		for k, v := c.Last(); k != nil; k, v = c.Prev() {
			n += int64(len(v))
			if n > maxBytes {
				start = binary.BigEndian.Uint64(k)
				return nil
			}
		}
		return nil
	})
	return start, err
}

func seqKey(seq uint64) []byte {
	var k [8]byte
	binary.BigEndian.PutUint64(k[:], seq)
	return k[:]
}
