// Package db owns ct's durable record: one bbolt file opened only by ct serve.
// It knows nothing of HTTP, live connections or terminals; the hub calls it.
//
// Schema (version 2; migrate.go lists the steps from older versions):
//
//	meta                 "schema" -> "2"; "usage_events", "usage_bytes" -> 8-byte counters of the logs;
//	                     "sessions_numbered" -> "1" once older sessions got numbers
//	nodes                name -> JSON Node
//	sessions             id -> JSON Session; the bucket's sequence numbers sessions (#42)
//	logs/<session id>    8-byte big-endian seq -> wire frame (one event)
//	transcripts/<id>     8-byte big-endian seq -> nothing: the transcript.entry frames of a log
//	usage_calls/<session id>  API message id -> JSON wire.Usage: each model call counted once
//	attachments/<session id>  attachment id -> JSON Attachment; "<id>.data" -> its bytes (attachments.go)
//	usage_days           "YYYY-MM-DD\x00person|machine\x00name" -> JSON DayUsage (tokens_usage.go)
//	prompts              id (sorts by creation) -> JSON Prompt
//	prompts_pending      id -> nothing: the index of pending prompts
//	audit                8-byte big-endian seq -> JSON AuditEntry (hash-chained)
//	users                name -> JSON User
//	tokens               id -> JSON Token (the secret only as a hash)
//	websess              id -> JSON WebSession (browser logins)
//	settings             key -> value (hub-wide settings, e.g. notification keys, the share-link HMAC key)
//	shares               id -> JSON Share: read-only session links (the secret only as an HMAC, shares.go)
//	notify               user name -> JSON NotifyPrefs
//	notify_used          link nonce -> expiry (RFC 3339): used one-tap links
//	events               8-byte big-endian id -> JSON EventRecord (session and prompt events out)
//	webhooks             id -> JSON Webhook (outbound, signed)
//	webhook_delivery     8-byte big-endian id -> JSON Delivery (the delivery log)
//	webhook_pending      8-byte big-endian delivery id -> webhook id (the durable queue)
//	coord_messages, coord_locks, coord_todos, coord_reminders, coord_peers,
//	coord_hooks, coord_reservations, coord_state, coord_skills, coord_msg_due
//	                     coordination records, laid out in coord_tx.go
package db

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	bolt "go.etcd.io/bbolt"
)

// SchemaVersion is the store layout this build reads and writes.
const SchemaVersion = 2

var (
	bucketMeta     = []byte("meta")
	bucketNodes    = []byte("nodes")
	bucketSessions = []byte("sessions")
	bucketLogs     = []byte("logs")
	keySchema      = []byte("schema")
)

// ErrNotFound is returned when a named record does not exist.
var ErrNotFound = errors.New("not found")

// Store is the bbolt-backed record. Safe for concurrent use.
type Store struct {
	bolt     *bolt.DB
	path     string
	migrated []string // upgrade steps run by Open, for the log
}

// Open opens (creating if needed) the store in dir. It fails after a short
// timeout when another ct serve holds the file, rather than hanging.
func Open(dir string) (*Store, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create data dir %s: %w", dir, err)
	}
	path := filepath.Join(dir, "ct.db")
	b, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: 2 * time.Second})
	if err != nil {
		if errors.Is(err, bolt.ErrTimeout) {
			return nil, fmt.Errorf("open %s: another ct serve is using this data dir (bbolt allows one process); stop it or pass a different --data", path)
		}
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	s := &Store{bolt: b, path: path}
	if err := s.init(); err != nil {
		b.Close()
		return nil, err
	}
	if err := s.ensurePendingIndex(); err != nil {
		b.Close()
		return nil, err
	}
	if err := s.ensureTranscriptIndex(); err != nil {
		b.Close()
		return nil, fmt.Errorf("index the transcripts in %s: %w", path, err)
	}
	if err := s.ensureSessionNumbers(); err != nil {
		b.Close()
		return nil, err
	}
	return s, nil
}

func (s *Store) init() error {
	return s.bolt.Update(func(tx *bolt.Tx) error {
		for _, name := range [][]byte{bucketMeta, bucketNodes, bucketSessions, bucketLogs, bucketUsageCalls, bucketUsageDays} {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return fmt.Errorf("create bucket %s: %w", name, err)
			}
		}
		meta := tx.Bucket(bucketMeta)
		v := meta.Get(keySchema)
		if v == nil {
			return meta.Put(keySchema, []byte(strconv.Itoa(SchemaVersion)))
		}
		n, err := strconv.Atoi(string(v))
		if err != nil {
			return fmt.Errorf("store %s has a corrupt schema version %q", s.path, v)
		}
		if n > SchemaVersion {
			return fmt.Errorf("store %s has schema version %d but this ct understands up to %d: upgrade ct", s.path, n, SchemaVersion)
		}
		if n < SchemaVersion {
			s.migrated, err = migrate(tx, n)
		}
		return err
	})
}

// Close closes the file; pending transactions finish first.
func (s *Store) Close() error { return s.bolt.Close() }

// Path is the store file's path.
func (s *Store) Path() string { return s.path }

// Size is the store file's size in bytes.
func (s *Store) Size() int64 {
	var n int64
	_ = s.bolt.View(func(tx *bolt.Tx) error { n = tx.Size(); return nil })
	return n
}
