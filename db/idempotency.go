package db

import (
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Idempotency keys (the Idempotency-Key header) let a client resend a change
// whose answer it never got (a timeout after the hub took it) without the
// change happening twice: the first answer is kept for a while under the
// key and given again to a repeat.
//
//	idempotency/<scope hash> -> JSON Replay
var bucketIdempotency = []byte("idempotency")

// Replay is the first answer to a keyed request.
type Replay struct {
	Request string    `json:"request"` // hash of the request body: a reused key with another body is refused
	Status  int       `json:"status"`
	Body    []byte    `json:"body"`
	At      time.Time `json:"at"`
}

// maxReplays bounds the bucket even if clients send keys faster than they
// expire: past it the oldest answers are forgotten first.
const maxReplays = 20000

// Replayed returns the kept answer for key, if there is one newer than
// since.
func (s *Store) Replayed(key string, since time.Time) (Replay, bool, error) {
	var r Replay
	found := false
	err := s.bolt.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketIdempotency)
		if b == nil {
			return nil
		}
		v := b.Get([]byte(key))
		if v == nil {
			return nil
		}
		if err := json.Unmarshal(v, &r); err != nil {
			return fmt.Errorf("decode idempotency record: %w", err)
		}
		found = r.At.After(since)
		return nil
	})
	return r, found, err
}

// KeepReplay stores the answer for key and forgets answers older than
// expire (and the oldest past maxReplays). Entries are few (the changes of
// a day), so the scan is cheap.
func (s *Store) KeepReplay(key string, r Replay, expire time.Time) error {
	v, err := json.Marshal(r)
	if err != nil {
		return err
	}
	return s.bolt.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bucketIdempotency)
		if err != nil {
			return err
		}
		var old [][]byte
		n := 0
		err = b.ForEach(func(k, v []byte) error {
			n++
			var e Replay
			if json.Unmarshal(v, &e) != nil || e.At.Before(expire) || n > maxReplays {
				old = append(old, append([]byte(nil), k...))
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, k := range old { // collected first: deleting under ForEach skips keys
			if err := b.Delete(k); err != nil {
				return err
			}
		}
		return b.Put([]byte(key), v)
	})
}
