package db

import (
	"encoding/json"
	"sort"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Token is a machine or API token. Only the hash of its secret is stored.
type Token struct {
	ID         string    `json:"id"`
	Hash       string    `json:"hash"`
	Kind       string    `json:"kind"` // machine | api | agent
	Name       string    `json:"name"`
	User       string    `json:"user"`              // who made it
	Machine    string    `json:"machine,omitempty"` // machine tokens: the machine it publishes as
	Role       string    `json:"role,omitempty"`    // api tokens: at most the maker's role
	Session    string    `json:"session,omitempty"` // agent tokens: the session it was minted for
	CreatedAt  time.Time `json:"created_at"`
	LastUsedAt time.Time `json:"last_used_at,omitzero"`
	LastAddr   string    `json:"last_addr,omitempty"`
	Revoked    bool      `json:"revoked,omitempty"`
	RevokedAt  time.Time `json:"revoked_at,omitzero"`
}

// PutToken stores t.
func (s *Store) PutToken(t Token) error {
	return s.bolt.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bucketTokens)
		if err != nil {
			return err
		}
		return putJSON(b, t.ID, t)
	})
}

// GetToken returns one token or ErrNotFound.
func (s *Store) GetToken(id string) (Token, error) {
	var t Token
	err := s.bolt.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketTokens)
		if b == nil {
			return ErrNotFound
		}
		return getJSON(b, id, &t)
	})
	return t, err
}

// UpdateToken applies fn to token id in one transaction.
func (s *Store) UpdateToken(id string, fn func(*Token) error) (Token, error) {
	var t Token
	err := s.bolt.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketTokens)
		if b == nil || getJSON(b, id, &t) != nil {
			return ErrNotFound
		}
		if err := fn(&t); err != nil {
			return err
		}
		return putJSON(b, id, t)
	})
	return t, err
}

// Tokens lists tokens, newest first; user "" lists everyone's.
func (s *Store) Tokens(user string) ([]Token, error) {
	var out []Token
	err := s.bolt.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketTokens)
		if b == nil {
			return nil
		}
		return b.ForEach(func(_, v []byte) error {
			var t Token
			if err := json.Unmarshal(v, &t); err != nil {
				return err
			}
			if user == "" || t.User == user {
				out = append(out, t)
			}
			return nil
		})
	})
	sort.Slice(out, func(i, j int) bool { return out[i].CreatedAt.After(out[j].CreatedAt) })
	return out, err
}

// RevokeSessionTokens revokes the agent credentials minted for session sid
// (its program has ended: nothing may act for it any more) and returns
// their ids.
func (s *Store) RevokeSessionTokens(sid string, now time.Time) ([]string, error) {
	var revoked []string
	err := s.bolt.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketTokens)
		if b == nil {
			return nil
		}
		var hits []Token // collected first: no writes inside ForEach
		err := b.ForEach(func(_, v []byte) error {
			var t Token
			if err := json.Unmarshal(v, &t); err != nil {
				return err
			}
			if t.Session == sid && t.Kind == "agent" && !t.Revoked {
				hits = append(hits, t)
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, t := range hits {
			t.Revoked, t.RevokedAt = true, now
			if err := putJSON(b, t.ID, t); err != nil {
				return err
			}
			revoked = append(revoked, t.ID)
		}
		return nil
	})
	return revoked, err
}
