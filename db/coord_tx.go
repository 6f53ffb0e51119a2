package db

import (
	"encoding/binary"
	"encoding/json"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// Coordination buckets (package coord owns what is in them; db only keeps them):
//
//	coord_messages   8-byte big-endian seq -> JSON coord.Message
//	coord_locks      lock name -> JSON coord.Lock
//	coord_todos      8-byte big-endian seq -> JSON coord.Todo
//	coord_reminders  8-byte big-endian seq -> JSON coord.Reminder
//	coord_peers      peer name -> JSON coord.Peer
//	coord_hooks      hook id -> JSON coord.Hook (the secret only as a hash)
//	coord_reservations 8-byte big-endian seq -> JSON coord.Reservation
//	coord_state      state key -> JSON coord.StateKey (value + bounded history)
//	coord_skills     skill name, 0x00, 8-byte big-endian version -> JSON coord.Skill
//	coord_msg_due    8-byte big-endian deadline (Unix ns), 8-byte message seq -> true
//	                 (messages waiting for an answer by a time; coord/deadlines.go)
var coordBuckets = map[string]bool{
	"coord_messages": true, "coord_locks": true, "coord_todos": true,
	"coord_reminders": true, "coord_peers": true, "coord_hooks": true,
	"coord_reservations": true, "coord_state": true, "coord_skills": true,
	"coord_msg_due": true,
}

// CoordTx is one transaction over the coordination buckets. Keys and
// values returned by it are copies, safe to keep after the transaction.
type CoordTx struct {
	tx *bolt.Tx
}

// CoordView runs fn in a read-only transaction.
func (s *Store) CoordView(fn func(CoordTx) error) error {
	return s.bolt.View(func(tx *bolt.Tx) error { return fn(CoordTx{tx}) })
}

// CoordUpdate runs fn in one read-write transaction: all of its writes
// happen or none do (a reminder's firing and its message are one step).
func (s *Store) CoordUpdate(fn func(CoordTx) error) error {
	return s.bolt.Update(func(tx *bolt.Tx) error { return fn(CoordTx{tx}) })
}

func (c CoordTx) bucket(name string, create bool) (*bolt.Bucket, error) {
	if !coordBuckets[name] {
		return nil, fmt.Errorf("db: %q is not a coordination bucket", name)
	}
	if b := c.tx.Bucket([]byte(name)); b != nil || !create {
		return b, nil
	}
	return c.tx.CreateBucketIfNotExists([]byte(name))
}

// SeqKey is the 8-byte big-endian key for n, so keys sort by number.
func SeqKey(n uint64) []byte {
	k := make([]byte, 8)
	binary.BigEndian.PutUint64(k, n)
	return k
}

// NextSeq returns the bucket's next sequence number (1, 2, ...).
func (c CoordTx) NextSeq(bucket string) (uint64, error) {
	b, err := c.bucket(bucket, true)
	if err != nil {
		return 0, err
	}
	return b.NextSequence()
}

// Get decodes the JSON at key into v, or returns ErrNotFound.
func (c CoordTx) Get(bucket string, key []byte, v any) error {
	b, err := c.bucket(bucket, false)
	if err != nil {
		return err
	}
	if b == nil {
		return ErrNotFound
	}
	data := b.Get(key)
	if data == nil {
		return ErrNotFound
	}
	return json.Unmarshal(data, v)
}

// Put stores v as JSON at key.
func (c CoordTx) Put(bucket string, key []byte, v any) error {
	b, err := c.bucket(bucket, true)
	if err != nil {
		return err
	}
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return b.Put(key, data)
}

// Delete removes key (absent keys are fine).
func (c CoordTx) Delete(bucket string, key []byte) error {
	b, err := c.bucket(bucket, false)
	if err != nil || b == nil {
		return err
	}
	return b.Delete(key)
}

// Each calls fn for every record in key order, newest last; reverse walks
// newest first. fn returns false to stop. The value slice is valid only
// during the call: decode it there.
func (c CoordTx) Each(bucket string, reverse bool, fn func(key, value []byte) (bool, error)) error {
	b, err := c.bucket(bucket, false)
	if err != nil || b == nil {
		return err
	}
	cur := b.Cursor()
	k, v := cur.First()
	if reverse {
		k, v = cur.Last()
	}
	for k != nil {
		more, err := fn(k, v)
		if err != nil || !more {
			return err
		}
		if reverse {
			k, v = cur.Prev()
		} else {
			k, v = cur.Next()
		}
	}
	return nil
}

// EachFrom calls fn for every record from key from onwards, in key order.
func (c CoordTx) EachFrom(bucket string, from []byte, fn func(key, value []byte) (bool, error)) error {
	b, err := c.bucket(bucket, false)
	if err != nil || b == nil {
		return err
	}
	cur := b.Cursor()
	for k, v := cur.Seek(from); k != nil; k, v = cur.Next() {
		more, err := fn(k, v)
		if err != nil || !more {
			return err
		}
	}
	return nil
}
