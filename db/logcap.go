package db

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// MinSessionLog is the smallest bound TrimLong takes: a log must keep more
// than the hub's screen replay (512 KiB) and a few whole frames.
const MinSessionLog = 1 << 20

// TrimLong bounds every session's log, live ones too, to maxBytes of
// stored frames: the oldest events beyond it are deleted, in transactions
// of at most trimChunkEvents events or trimChunkBytes, and the session's
// TrimmedBefore says from which seq the log is whole. LastSeq (what the
// wrap was acked) never moves, so resends and gaps are judged as before,
// and a screen rebuilt from the log's tail never reaches the cut. Records
// from before log sizes were kept are sized first, in chunked reads. It
// stops early when ctx is cancelled; a later pass carries on.
func (s *Store) TrimLong(ctx context.Context, maxBytes int64) (TrimResult, error) {
	var res TrimResult
	if maxBytes < MinSessionLog {
		return res, fmt.Errorf("a session log bound of %d bytes is under the minimum of %d", maxBytes, MinSessionLog)
	}
	var over, unsized []string
	err := s.bolt.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketSessions).ForEach(func(k, v []byte) error {
			var ss Session
			if err := json.Unmarshal(v, &ss); err != nil {
				return fmt.Errorf("decode session %s: %w", k, err)
			}
			switch {
			case !ss.LogSized && !ss.LogTrimmed && ss.LastSeq > 0:
				unsized = append(unsized, ss.ID)
			case ss.LogSized && ss.LogBytes > maxBytes:
				over = append(over, ss.ID)
			}
			return nil
		})
	})
	if err != nil {
		return res, err
	}
	for _, id := range unsized {
		ss, err := s.sizeLog(ctx, id)
		if err != nil {
			return res, fmt.Errorf("size the log of session %s: %w", id, err)
		}
		if ss.LogBytes > maxBytes {
			over = append(over, id)
		}
	}
	for _, id := range over {
		steps, err := s.inSteps(ctx, func(tx *bolt.Tx) (bool, error) { return trimOldest(tx, id, maxBytes, &res) })
		if err != nil {
			return res, fmt.Errorf("bound the log of session %s: %w", id, err)
		}
		if steps > 0 {
			res.Sessions++
		}
	}
	return res, nil
}

// trimOldest deletes one chunk of the oldest events of id's log while it
// holds more than maxBytes, or reports done. The session is read again under
// the write lock: the log grew since the scan.
func trimOldest(tx *bolt.Tx, id string, maxBytes int64, res *TrimResult) (done bool, err error) {
	ss, err := getSession(tx, id)
	if err == ErrNotFound {
		return true, nil
	}
	if err != nil || !ss.LogSized || ss.LogBytes <= maxBytes {
		return true, err
	}
	log := tx.Bucket(bucketLogs).Bucket([]byte(id))
	if log == nil {
		ss.LogBytes = 0
		return true, putSession(tx, ss)
	}
	var keys [][]byte
	var n int64
	c := log.Cursor()
	for k, v := c.First(); k != nil && len(keys) < trimChunkEvents && n < trimChunkBytes && ss.LogBytes-n > maxBytes; k, v = c.Next() {
		keys = append(keys, append([]byte(nil), k...))
		n += int64(len(v))
	}
	if len(keys) == 0 {
		return true, nil
	}
	// Collected first: deleting under a live cursor skips keys.
	for _, k := range keys {
		if err := log.Delete(k); err != nil {
			return false, err
		}
	}
	res.Events += int64(len(keys))
	res.Bytes += n
	ss.LogBytes -= n
	ss.TrimmedBefore = binary.BigEndian.Uint64(keys[len(keys)-1]) + 1
	if err := putSession(tx, ss); err != nil {
		return false, err
	}
	return false, addUsage(tx, -int64(len(keys)), -n)
}

// sizeLog counts the frames of a log recorded before sizes were kept:
// the events up to the LastSeq seen at the start in chunked reads (no read
// transaction held across the scan), then, under the write lock, the few
// that arrived meanwhile; from then on appends keep the count.
func (s *Store) sizeLog(ctx context.Context, id string) (Session, error) {
	var upTo uint64
	var n int64
	if err := s.bolt.View(func(tx *bolt.Tx) error {
		ss, err := getSession(tx, id)
		upTo = ss.LastSeq
		return err
	}); err != nil {
		return Session{}, err
	}
	for after := uint64(0); after < upTo; {
		if err := ctx.Err(); err != nil {
			return Session{}, err
		}
		next := upTo
		err := s.bolt.View(func(tx *bolt.Tx) error {
			log := tx.Bucket(bucketLogs).Bucket([]byte(id))
			if log == nil {
				return nil
			}
			c, i := log.Cursor(), 0
			for k, v := c.Seek(seqKey(after + 1)); k != nil && i < trimChunkEvents; k, v = c.Next() {
				seq := binary.BigEndian.Uint64(k)
				if seq > upTo {
					break
				}
				n += int64(len(v))
				next, i = seq, i+1
			}
			if i < trimChunkEvents {
				next = upTo // the end was reached
			}
			return nil
		})
		if err != nil {
			return Session{}, err
		}
		after = next
	}
	var ss Session
	err := s.bolt.Update(func(tx *bolt.Tx) error {
		var err error
		if ss, err = getSession(tx, id); err != nil || ss.LogSized {
			return err
		}
		if log := tx.Bucket(bucketLogs).Bucket([]byte(id)); log != nil {
			c := log.Cursor()
			for k, v := c.Seek(seqKey(upTo + 1)); k != nil; k, v = c.Next() {
				n += int64(len(v))
			}
		}
		ss.LogBytes, ss.LogSized = n, true
		return putSession(tx, ss)
	})
	return ss, err
}
