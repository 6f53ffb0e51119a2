package db

import (
	"encoding/json"
	"time"

	bolt "go.etcd.io/bbolt"
)

// WebSession is a browser login. Stored under its id with only the hash of
// the cookie's secret.
type WebSession struct {
	ID        string    `json:"id"`
	Hash      string    `json:"hash"`
	User      string    `json:"user"`
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`
	Addr      string    `json:"addr,omitempty"`
	Device    string    `json:"device,omitempty"`
}

// PutWebSession stores w.
func (s *Store) PutWebSession(w WebSession) error {
	return s.bolt.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bucketWebSess)
		if err != nil {
			return err
		}
		return putJSON(b, w.ID, w)
	})
}

// GetWebSession returns one browser session or ErrNotFound.
func (s *Store) GetWebSession(id string) (WebSession, error) {
	var w WebSession
	err := s.bolt.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketWebSess)
		if b == nil {
			return ErrNotFound
		}
		return getJSON(b, id, &w)
	})
	return w, err
}

// DeleteWebSessions removes the browser session id, or with user set, every
// session of that user (after a password change).
func (s *Store) DeleteWebSessions(id, user string) error {
	return s.bolt.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketWebSess)
		if b == nil {
			return nil
		}
		if id != "" {
			return b.Delete([]byte(id))
		}
		var doomed [][]byte
		now := time.Now()
		err := b.ForEach(func(k, v []byte) error {
			var w WebSession
			if json.Unmarshal(v, &w) != nil || w.User == user || now.After(w.ExpiresAt) {
				doomed = append(doomed, append([]byte(nil), k...))
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, k := range doomed { // collected first: no Delete inside ForEach
			if err := b.Delete(k); err != nil {
				return err
			}
		}
		return nil
	})
}
