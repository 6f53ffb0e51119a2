package db

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"
)

var (
	bucketEvents      = []byte("events")           // 8-byte big-endian id -> JSON EventRecord
	bucketWebhooks    = []byte("webhooks")         // id -> JSON Webhook
	bucketDeliveries  = []byte("webhook_delivery") // 8-byte big-endian id -> JSON Delivery
	bucketDeliveryDue = []byte("webhook_pending")  // 8-byte big-endian delivery id -> webhook id: the queue
)

// EventRecord is one session or prompt event as the event stream and the
// outbound webhooks carry it. Body is its JSON, with ID inside; Node and
// Type are kept beside it so readers filter without decoding.
type EventRecord struct {
	ID   uint64          `json:"id"`
	Type string          `json:"type"`
	Node string          `json:"node"`
	Body json.RawMessage `json:"body"`
}

// AppendEvent numbers one event (ids never repeat, even after a trim or a
// restart), stores the body build returns for that id and, in the same
// transaction, queues a delivery to every enabled webhook that wants its
// type: once the event is stored, no webhook can miss it.
func (s *Store) AppendEvent(typ, node string, build func(id uint64) ([]byte, error)) (EventRecord, error) {
	var rec EventRecord
	err := s.bolt.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bucketEvents)
		if err != nil {
			return err
		}
		b.FillPercent = 0.95 // append-only
		id, err := b.NextSequence()
		if err != nil {
			return err
		}
		body, err := build(id)
		if err != nil {
			return err
		}
		rec = EventRecord{ID: id, Type: typ, Node: node, Body: body}
		v, err := json.Marshal(rec)
		if err != nil {
			return err
		}
		if err := b.Put(seqKey(id), v); err != nil {
			return err
		}
		return queueDeliveries(tx, rec)
	})
	return rec, err
}

// EventsAfter returns up to max events with id > after, oldest first, and
// the first id still kept (so a reader resuming from before it knows it
// missed some).
func (s *Store) EventsAfter(after uint64, max int) (events []EventRecord, first uint64, err error) {
	err = s.bolt.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketEvents)
		if b == nil {
			return nil
		}
		c := b.Cursor()
		if k, _ := c.First(); k != nil {
			first = binary.BigEndian.Uint64(k)
		}
		for k, v := c.Seek(seqKey(after + 1)); k != nil && len(events) < max; k, v = c.Next() {
			var r EventRecord
			if err := json.Unmarshal(v, &r); err != nil {
				return fmt.Errorf("event %d is unreadable: %w", binary.BigEndian.Uint64(k), err)
			}
			events = append(events, r)
		}
		return nil
	})
	return events, first, err
}

// LastEventID is the id of the newest event (0 before the first).
func (s *Store) LastEventID() (uint64, error) {
	var id uint64
	err := s.bolt.View(func(tx *bolt.Tx) error {
		if b := tx.Bucket(bucketEvents); b != nil {
			id = b.Sequence()
		}
		return nil
	})
	return id, err
}

// TrimEvents keeps the newest keep events and deletes the rest; the id
// sequence goes on, so ids are never reused.
func (s *Store) TrimEvents(keep int) error {
	return s.bolt.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketEvents)
		if b == nil || b.Stats().KeyN <= keep {
			return nil
		}
		var keys [][]byte
		n := b.Stats().KeyN - keep
		c := b.Cursor()
		for k, _ := c.First(); k != nil && len(keys) < n; k, _ = c.Next() {
			keys = append(keys, slices.Clone(k)) // collect before deleting
		}
		for _, k := range keys {
			if err := b.Delete(k); err != nil {
				return err
			}
		}
		return nil
	})
}

// Webhook is an outbound webhook: every event of its Types (empty: all) is
// POSTed to URL, signed with Secret. The secret is kept in the clear
// because signing needs it; it is shown once, when made, and never listed.
type Webhook struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	URL       string    `json:"url"`
	Types     []string  `json:"types,omitempty"`
	Secret    string    `json:"secret,omitempty"`
	Disabled  bool      `json:"disabled,omitempty"`
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
}

// Wants reports whether w takes events of typ.
func (w Webhook) Wants(typ string) bool {
	return !w.Disabled && (len(w.Types) == 0 || slices.Contains(w.Types, typ))
}

// PutWebhook stores w (new or changed).
func (s *Store) PutWebhook(w Webhook) error {
	return s.bolt.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bucketWebhooks)
		if err != nil {
			return err
		}
		return putJSON(b, w.ID, w)
	})
}

// Webhooks lists every outbound webhook, secrets included (callers clear
// them before showing).
func (s *Store) Webhooks() ([]Webhook, error) {
	var out []Webhook
	err := s.bolt.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketWebhooks)
		if b == nil {
			return nil
		}
		return b.ForEach(func(_, v []byte) error {
			var w Webhook
			if err := json.Unmarshal(v, &w); err != nil {
				return err
			}
			out = append(out, w)
			return nil
		})
	})
	return out, err
}

// GetWebhook returns webhook id, or ErrNotFound.
func (s *Store) GetWebhook(id string) (Webhook, error) {
	var w Webhook
	err := s.bolt.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketWebhooks)
		if b == nil {
			return ErrNotFound
		}
		return getJSON(b, id, &w)
	})
	return w, err
}

// DeleteWebhook removes webhook id and drops its queued deliveries (its
// delivery log stays until trimmed).
func (s *Store) DeleteWebhook(id string) error {
	return s.bolt.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketWebhooks)
		if b == nil || b.Get([]byte(id)) == nil {
			return ErrNotFound
		}
		if err := b.Delete([]byte(id)); err != nil {
			return err
		}
		q := tx.Bucket(bucketDeliveryDue)
		if q == nil {
			return nil
		}
		var keys [][]byte
		_ = q.ForEach(func(k, v []byte) error {
			if string(v) == id {
				keys = append(keys, slices.Clone(k))
			}
			return nil
		})
		for _, k := range keys {
			if err := q.Delete(k); err != nil {
				return err
			}
		}
		return nil
	})
}
