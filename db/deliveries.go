package db

import (
	"encoding/json"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Delivery states.
const (
	DeliveryPending   = "pending"   // queued or waiting to be retried
	DeliveryDelivered = "delivered" // the receiver answered 2xx
	DeliveryFailed    = "failed"    // given up after the last attempt
)

// deliveriesKept bounds the delivery log: finished deliveries beyond it are
// trimmed oldest first, queued ones never.
const deliveriesKept = 2000

// Delivery is one event on its way to one webhook, and afterwards its
// line in the delivery log. Body is the signed payload while it is queued
// (so a trimmed event log cannot lose it); it is dropped once finished.
type Delivery struct {
	ID         uint64          `json:"id"`
	Webhook    string          `json:"webhook"`
	EventID    uint64          `json:"event_id"`
	EventType  string          `json:"event_type"`
	State      string          `json:"state"`
	Attempts   int             `json:"attempts"`
	LastStatus int             `json:"last_status,omitempty"` // HTTP status of the last attempt
	LastError  string          `json:"last_error,omitempty"`
	CreatedAt  time.Time       `json:"created_at"`
	NextAt     time.Time       `json:"next_at,omitzero"` // pending: not before
	DoneAt     time.Time       `json:"done_at,omitzero"`
	Body       json.RawMessage `json:"body,omitempty"`
}

// queueDeliveries adds a pending delivery of rec for every webhook that
// wants it, inside AppendEvent's transaction.
func queueDeliveries(tx *bolt.Tx, rec EventRecord) error {
	hooks := tx.Bucket(bucketWebhooks)
	if hooks == nil {
		return nil
	}
	var want []string
	err := hooks.ForEach(func(k, v []byte) error {
		var w Webhook
		if err := json.Unmarshal(v, &w); err != nil {
			return err
		}
		if w.Wants(rec.Type) {
			want = append(want, w.ID)
		}
		return nil
	})
	if err != nil || len(want) == 0 {
		return err
	}
	log, err := tx.CreateBucketIfNotExists(bucketDeliveries)
	if err != nil {
		return err
	}
	q, err := tx.CreateBucketIfNotExists(bucketDeliveryDue)
	if err != nil {
		return err
	}
	now := time.Now().UTC()
	for _, id := range want {
		n, err := log.NextSequence()
		if err != nil {
			return err
		}
		d := Delivery{ID: n, Webhook: id, EventID: rec.ID, EventType: rec.Type, State: DeliveryPending, CreatedAt: now, NextAt: now, Body: rec.Body}
		v, err := json.Marshal(d)
		if err != nil {
			return err
		}
		if err := log.Put(seqKey(n), v); err != nil {
			return err
		}
		if err := q.Put(seqKey(n), []byte(id)); err != nil {
			return err
		}
	}
	return nil
}

// NextDeliveries returns, for each webhook with queued deliveries, its
// oldest one: a webhook's events go out one at a time and in order, so a
// receiver that fails holds back only its own later events.
func (s *Store) NextDeliveries() ([]Delivery, error) {
	var out []Delivery
	err := s.bolt.View(func(tx *bolt.Tx) error {
		q, log := tx.Bucket(bucketDeliveryDue), tx.Bucket(bucketDeliveries)
		if q == nil || log == nil {
			return nil
		}
		seen := map[string]bool{}
		return q.ForEach(func(k, v []byte) error {
			if seen[string(v)] {
				return nil
			}
			seen[string(v)] = true
			var d Delivery
			if err := json.Unmarshal(log.Get(k), &d); err != nil {
				return err
			}
			out = append(out, d)
			return nil
		})
	})
	return out, err
}

// FinishAttempt records one attempt of delivery id: fn sets its outcome
// (State, NextAt, errors). A finished delivery leaves the queue and drops
// its body; the log is trimmed to deliveriesKept finished entries.
func (s *Store) FinishAttempt(id uint64, fn func(*Delivery)) (Delivery, error) {
	var d Delivery
	err := s.bolt.Update(func(tx *bolt.Tx) error {
		log := tx.Bucket(bucketDeliveries)
		if log == nil || log.Get(seqKey(id)) == nil {
			return ErrNotFound
		}
		if err := json.Unmarshal(log.Get(seqKey(id)), &d); err != nil {
			return err
		}
		fn(&d)
		if d.State != DeliveryPending {
			d.Body = nil
			if q := tx.Bucket(bucketDeliveryDue); q != nil {
				if err := q.Delete(seqKey(id)); err != nil {
					return err
				}
			}
		}
		v, err := json.Marshal(d)
		if err != nil {
			return err
		}
		if err := log.Put(seqKey(id), v); err != nil {
			return err
		}
		return trimDeliveries(tx, log)
	})
	return d, err
}

// trimDeliveries deletes the oldest finished deliveries past deliveriesKept.
func trimDeliveries(tx *bolt.Tx, log *bolt.Bucket) error {
	extra := log.Stats().KeyN - deliveriesKept
	if extra <= 0 {
		return nil
	}
	q := tx.Bucket(bucketDeliveryDue)
	var keys [][]byte
	c := log.Cursor()
	for k, _ := c.First(); k != nil && len(keys) < extra; k, _ = c.Next() {
		if q == nil || q.Get(k) == nil {
			keys = append(keys, slices.Clone(k))
		}
	}
	for _, k := range keys {
		if err := log.Delete(k); err != nil {
			return err
		}
	}
	return nil
}

// Deliveries returns up to limit deliveries, newest first, of webhook
// ("" for every webhook), without their bodies.
func (s *Store) Deliveries(webhook string, limit int) ([]Delivery, error) {
	var out []Delivery
	err := s.bolt.View(func(tx *bolt.Tx) error {
		log := tx.Bucket(bucketDeliveries)
		if log == nil {
			return nil
		}
		c := log.Cursor()
		for k, v := c.Last(); k != nil && len(out) < limit; k, v = c.Prev() {
			var d Delivery
			if err := json.Unmarshal(v, &d); err != nil {
				return err
			}
			if webhook == "" || d.Webhook == webhook {
				d.Body = nil
				out = append(out, d)
			}
		}
		return nil
	})
	return out, err
}
