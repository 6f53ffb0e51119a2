package db

import (
	"encoding/binary"
	"fmt"

	"github.com/ct-dev/ct/wire"
	bolt "go.etcd.io/bbolt"
)

// Bounds of one LogChunk: what one short read transaction copies out. A
// read transaction that stays open while a slow client downloads blocks
// bbolt from growing its file, and with it every write of the hub; a chunk
// is copied in well under a millisecond and the transaction ends.
const (
	LogChunkEvents = 512
	LogChunkBytes  = 256 << 10
)

// LogChunk returns, copied out of one short read transaction, the events of
// session id with seq > after, in order: at most LogChunkEvents of them and
// about LogChunkBytes of frames (always at least one event when there is
// one). An empty result means there is nothing after after. Callers stream
// a whole log by asking again from the last seq returned, without holding
// a transaction between chunks.
func (s *Store) LogChunk(id string, after uint64) ([]wire.Envelope, error) {
	var out []wire.Envelope
	err := s.bolt.View(func(tx *bolt.Tx) error {
		logs := tx.Bucket(bucketLogs).Bucket([]byte(id))
		if logs == nil {
			if tx.Bucket(bucketSessions).Get([]byte(id)) == nil {
				return ErrNotFound
			}
			return nil
		}
		n := 0
		c := logs.Cursor()
		for k, v := c.Seek(seqKey(after + 1)); k != nil && len(out) < LogChunkEvents && n < LogChunkBytes; k, v = c.Next() {
			e, err := wire.Unmarshal(append([]byte(nil), v...))
			if err != nil {
				return fmt.Errorf("event %d of %s: %w", binary.BigEndian.Uint64(k), id, err)
			}
			out = append(out, e)
			n += len(v)
		}
		return nil
	})
	return out, err
}
