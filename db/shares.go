package db

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"sort"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Share is a read-only link to one session: whoever holds its token sees
// the session's screen and transcript, with no input, until it expires or
// is revoked. Only an HMAC of the token's secret is stored.
type Share struct {
	ID        string    `json:"id"`
	Session   string    `json:"session"`
	Hash      string    `json:"hash"` // hex HMAC-SHA256 of the secret, keyed by the hub's share key
	By        string    `json:"by"`   // who made it
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`
	Revoked   bool      `json:"revoked,omitempty"`
	RevokedAt time.Time `json:"revoked_at,omitzero"`
	RevokedBy string    `json:"revoked_by,omitempty"`
}

// Errors a share token is refused with (the HTTP layer answers 404 / 410).
var (
	ErrBadShare  = errors.New("this share link is not valid (it was mistyped, or made by another hub)")
	ErrDeadShare = errors.New("this share link was revoked or has expired; ask whoever sent it for a new one")
)

var (
	bucketShares   = []byte("shares")            // share id -> JSON Share
	keyShareSecret = []byte("share.hmac_secret") // in settings: the HMAC key of share tokens
)

// maxShareToken bounds a token read from a URL before any work is done.
const maxShareToken = 128

// CreateShare makes a share link for session, valid for ttl from now, and
// returns it with its token ("<id>.<secret>"), which is shown once.
func (s *Store) CreateShare(session, by string, ttl time.Duration, now time.Time) (Share, string, error) {
	id, secret := make([]byte, 9), make([]byte, 24)
	_, _ = rand.Read(id)
	_, _ = rand.Read(secret)
	sh := Share{ID: hex.EncodeToString(id), Session: session, By: by, CreatedAt: now.UTC(), ExpiresAt: now.Add(ttl).UTC()}
	enc := base64.RawURLEncoding.EncodeToString(secret)
	err := s.bolt.Update(func(tx *bolt.Tx) error {
		if _, err := getSession(tx, session); err != nil {
			return err
		}
		key, err := shareKey(tx)
		if err != nil {
			return err
		}
		sh.Hash = shareMAC(key, enc)
		b, err := tx.CreateBucketIfNotExists(bucketShares)
		if err != nil {
			return err
		}
		return putJSON(b, sh.ID, sh)
	})
	return sh, sh.ID + "." + enc, err
}

// OpenShare checks a share token: ErrBadShare for a token this hub never
// made, ErrDeadShare for one revoked or expired (or whose session is gone).
func (s *Store) OpenShare(token string, now time.Time) (Share, error) {
	var sh Share
	id, enc, ok := strings.Cut(token, ".")
	if !ok || len(token) > maxShareToken {
		return sh, ErrBadShare
	}
	err := s.bolt.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketShares)
		if b == nil || getJSON(b, id, &sh) != nil {
			return ErrBadShare
		}
		var key []byte
		if set := tx.Bucket(bucketSettings); set != nil {
			key = set.Get(keyShareSecret)
		}
		if key == nil || !hmac.Equal([]byte(shareMAC(key, enc)), []byte(sh.Hash)) {
			return ErrBadShare
		}
		if sh.Revoked || now.After(sh.ExpiresAt) || tx.Bucket(bucketSessions).Get([]byte(sh.Session)) == nil {
			return ErrDeadShare
		}
		return nil
	})
	return sh, err
}

// RevokeShare ends a share link at once; ErrNotFound if it is not
// session's.
func (s *Store) RevokeShare(session, id, by string, now time.Time) (Share, error) {
	var sh Share
	err := s.bolt.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketShares)
		if b == nil || getJSON(b, id, &sh) != nil || sh.Session != session {
			return ErrNotFound
		}
		sh.Revoked, sh.RevokedAt, sh.RevokedBy = true, now.UTC(), by
		return putJSON(b, sh.ID, sh)
	})
	return sh, err
}

// SessionShares lists a session's share links, newest first.
func (s *Store) SessionShares(session string) ([]Share, error) {
	var out []Share
	err := s.bolt.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketShares)
		if b == nil {
			return nil
		}
		return b.ForEach(func(_, v []byte) error {
			var sh Share
			if err := json.Unmarshal(v, &sh); err != nil {
				return err
			}
			if sh.Session == session {
				out = append(out, sh)
			}
			return nil
		})
	})
	sort.Slice(out, func(i, j int) bool { return out[i].CreatedAt.After(out[j].CreatedAt) })
	return out, err
}

// dropSessionShares deletes a forgotten session's share links.
func dropSessionShares(tx *bolt.Tx, session string) error {
	b := tx.Bucket(bucketShares)
	if b == nil {
		return nil
	}
	var doomed [][]byte
	err := b.ForEach(func(k, v []byte) error {
		var sh Share
		if json.Unmarshal(v, &sh) == nil && sh.Session == session {
			doomed = append(doomed, append([]byte(nil), k...))
		}
		return nil
	})
	for _, k := range doomed { // deleted after the scan: no Delete inside ForEach
		if err == nil {
			err = b.Delete(k)
		}
	}
	return err
}

// shareKey is the hub's HMAC key for share tokens, made on first use.
func shareKey(tx *bolt.Tx) ([]byte, error) {
	b, err := tx.CreateBucketIfNotExists(bucketSettings)
	if err != nil {
		return nil, err
	}
	if k := b.Get(keyShareSecret); len(k) >= 32 {
		return append([]byte(nil), k...), nil
	}
	k := make([]byte, 32)
	_, _ = rand.Read(k)
	return k, b.Put(keyShareSecret, k)
}

func shareMAC(key []byte, secret string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("ct-share-v1." + secret))
	return hex.EncodeToString(m.Sum(nil))
}
