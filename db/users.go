package db

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"time"

	bolt "go.etcd.io/bbolt"
)

var (
	bucketUsers    = []byte("users")    // name -> JSON User
	bucketTokens   = []byte("tokens")   // id -> JSON Token
	bucketWebSess  = []byte("websess")  // id -> JSON WebSession
	bucketSettings = []byte("settings") // key -> value (hub-wide settings)
)

// ErrExists is returned when creating something whose name is taken.
var ErrExists = errors.New("already exists")

// User is a person who logs in.
type User struct {
	Name         string    `json:"name"`
	Role         string    `json:"role"`
	Grants       []string  `json:"grants,omitempty"` // machine names; "*" for all
	PasswordHash string    `json:"password_hash,omitempty"`
	CreatedAt    time.Time `json:"created_at"`
	Disabled     bool      `json:"disabled,omitempty"`
}

// CreateUser adds u; ErrExists if the name is taken.
func (s *Store) CreateUser(u User) error {
	return s.bolt.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bucketUsers)
		if err != nil {
			return err
		}
		if b.Get([]byte(u.Name)) != nil {
			return fmt.Errorf("user %q: %w", u.Name, ErrExists)
		}
		return putJSON(b, u.Name, u)
	})
}

// UpdateUser applies fn to user name in one transaction.
func (s *Store) UpdateUser(name string, fn func(*User) error) (User, error) {
	var u User
	err := s.bolt.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketUsers)
		if b == nil || getJSON(b, name, &u) != nil {
			return ErrNotFound
		}
		if err := fn(&u); err != nil {
			return err
		}
		return putJSON(b, name, u)
	})
	return u, err
}

// GetUser returns one user or ErrNotFound.
func (s *Store) GetUser(name string) (User, error) {
	var u User
	err := s.bolt.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketUsers)
		if b == nil {
			return ErrNotFound
		}
		return getJSON(b, name, &u)
	})
	return u, err
}

// Users lists every user by name.
func (s *Store) Users() ([]User, error) {
	var out []User
	err := s.bolt.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketUsers)
		if b == nil {
			return nil
		}
		return b.ForEach(func(_, v []byte) error {
			var u User
			if err := json.Unmarshal(v, &u); err != nil {
				return err
			}
			out = append(out, u)
			return nil
		})
	})
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, err
}

// Setting reads a hub-wide setting ("" when unset).
func (s *Store) Setting(key string) string {
	var v string
	_ = s.bolt.View(func(tx *bolt.Tx) error {
		if b := tx.Bucket(bucketSettings); b != nil {
			v = string(b.Get([]byte(key)))
		}
		return nil
	})
	return v
}

// SetSetting writes a hub-wide setting; "" deletes it.
func (s *Store) SetSetting(key, value string) error {
	return s.bolt.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bucketSettings)
		if err != nil {
			return err
		}
		if value == "" {
			return b.Delete([]byte(key))
		}
		return b.Put([]byte(key), []byte(value))
	})
}

func putJSON(b *bolt.Bucket, key string, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return b.Put([]byte(key), data)
}

func getJSON(b *bolt.Bucket, key string, v any) error {
	data := b.Get([]byte(key))
	if data == nil {
		return ErrNotFound
	}
	return json.Unmarshal(data, v)
}
