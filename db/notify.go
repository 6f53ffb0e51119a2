package db

import (
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

var (
	bucketNotify  = []byte("notify")      // user name -> JSON NotifyPrefs
	bucketLinkUse = []byte("notify_used") // link nonce -> expiry (RFC 3339): used one-tap links
)

// ErrUsed is returned when a single-use link was already used.
var ErrUsed = errors.New("this link was already used")

// PushSub is one browser's Web Push subscription.
type PushSub struct {
	Endpoint  string    `json:"endpoint"`
	P256dh    string    `json:"p256dh"` // the browser's public key, base64url
	Auth      string    `json:"auth"`   // the browser's auth secret, base64url
	Device    string    `json:"device,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// NotifyPrefs is what one person wants to be told, and where.
type NotifyPrefs struct {
	Prompts    bool      `json:"prompts"`    // a prompt needs an answer
	Sessions   bool      `json:"sessions"`   // a session finished or waits
	P0         bool      `json:"p0"`         // P0 messages to them
	QuietFrom  string    `json:"quiet_from"` // "22:00"; empty: no quiet hours
	QuietTo    string    `json:"quiet_to"`   // "07:00"
	TZ         string    `json:"tz"`         // IANA zone for quiet hours
	NtfyURL    string    `json:"ntfy_url"`   // topic URL; empty: no ntfy
	NtfyToken  string    `json:"ntfy_token"` // optional bearer token
	BaseURL    string    `json:"base_url"`   // the hub's address as this person reaches it (for links)
	Subs       []PushSub `json:"subs"`       // Web Push subscriptions, one per device
	UpdatedAt  time.Time `json:"updated_at"` //
	Configured bool      `json:"configured"` // saved at least once (else defaults apply)
}

// DefaultNotifyPrefs is what a person who never saved settings gets: every
// event, no channel yet.
func DefaultNotifyPrefs() NotifyPrefs {
	return NotifyPrefs{Prompts: true, Sessions: true, P0: true}
}

// NotifyPrefs returns user's preferences (defaults when never saved).
func (s *Store) NotifyPrefs(user string) (NotifyPrefs, error) {
	p := DefaultNotifyPrefs()
	err := s.bolt.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketNotify)
		if b == nil {
			return nil
		}
		if err := getJSON(b, user, &p); err != nil && !errors.Is(err, ErrNotFound) {
			return fmt.Errorf("decode notification settings of %s: %w", user, err)
		}
		return nil
	})
	return p, err
}

// UpdateNotifyPrefs applies fn to user's preferences in one transaction.
func (s *Store) UpdateNotifyPrefs(user string, fn func(*NotifyPrefs) error) (NotifyPrefs, error) {
	p := DefaultNotifyPrefs()
	err := s.bolt.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bucketNotify)
		if err != nil {
			return err
		}
		if err := getJSON(b, user, &p); err != nil && !errors.Is(err, ErrNotFound) {
			return fmt.Errorf("decode notification settings of %s: %w", user, err)
		}
		if err := fn(&p); err != nil {
			return err
		}
		p.UpdatedAt = time.Now().UTC()
		return putJSON(b, user, p)
	})
	return p, err
}

// UseLink records that the single-use link nonce was used; ErrUsed when it
// already was. Records past their expiry are pruned on the way.
func (s *Store) UseLink(nonce string, expires time.Time) error {
	return s.bolt.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bucketLinkUse)
		if err != nil {
			return err
		}
		if b.Get([]byte(nonce)) != nil {
			return ErrUsed
		}
		now := time.Now()
		var old [][]byte
		_ = b.ForEach(func(k, v []byte) error {
			if t, err := time.Parse(time.RFC3339, string(v)); err == nil && now.After(t.Add(time.Minute)) {
				old = append(old, append([]byte(nil), k...))
			}
			return nil
		})
		for _, k := range old { // deleted after the scan: no Delete inside ForEach
			_ = b.Delete(k)
		}
		return b.Put([]byte(nonce), []byte(expires.UTC().Format(time.RFC3339)))
	})
}
