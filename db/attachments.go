package db

import (
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// bucketAttachments holds the files people sent with a prompt from the
// composer: attachments/<session id>/<attachment id> -> JSON Attachment and
// attachments/<session id>/<attachment id>.data -> the file's bytes.
var bucketAttachments = []byte("attachments")

// Attachment is a file sent with a prompt: kept on the hub (for its
// thumbnail in the transcript) and delivered to the workstation.
type Attachment struct {
	ID      string    `json:"id"`
	Session string    `json:"session"`
	Name    string    `json:"name"` // cleaned (wire.AttachName)
	Type    string    `json:"type"` // the sniffed media type, e.g. image/png
	Size    int64     `json:"size"`
	By      string    `json:"by"`
	At      time.Time `json:"at"`
	Path    string    `json:"path,omitempty"` // where the workstation wrote it, once it did
}

// ErrAttachmentsFull is returned when a session's attachments would pass
// their bound.
var ErrAttachmentsFull = fmt.Errorf("this session's attachments are full")

// PutAttachment stores a file unless the session's attachments would then
// hold more than max bytes (0: no bound).
func (s *Store) PutAttachment(a Attachment, data []byte, max int64) error {
	meta, err := json.Marshal(a)
	if err != nil {
		return err
	}
	return s.bolt.Update(func(tx *bolt.Tx) error {
		root, err := tx.CreateBucketIfNotExists(bucketAttachments)
		if err != nil {
			return err
		}
		b, err := root.CreateBucketIfNotExists([]byte(a.Session))
		if err != nil {
			return err
		}
		if max > 0 {
			used := attachedBytes(b)
			if used+int64(len(data)) > max {
				return fmt.Errorf("%w: it holds %d KB, the limit is %d KB (ct serve --attach-session-max); start a new session to send more", ErrAttachmentsFull, used>>10, max>>10)
			}
		}
		if err := b.Put([]byte(a.ID), meta); err != nil {
			return err
		}
		return b.Put([]byte(a.ID+".data"), data)
	})
}

// attachedBytes sums the sizes recorded in a session's attachment bucket.
func attachedBytes(b *bolt.Bucket) int64 {
	var n int64
	_ = b.ForEach(func(k, v []byte) error {
		var a Attachment
		if len(k) > 0 && json.Unmarshal(v, &a) == nil && a.ID == string(k) {
			n += a.Size
		}
		return nil
	})
	return n
}

// SetAttachmentPath records where the workstation wrote an attachment.
func (s *Store) SetAttachmentPath(session, id, path string) error {
	return s.bolt.Update(func(tx *bolt.Tx) error {
		b := attachBucket(tx, session)
		if b == nil || b.Get([]byte(id)) == nil {
			return ErrNotFound
		}
		var a Attachment
		if err := json.Unmarshal(b.Get([]byte(id)), &a); err != nil {
			return err
		}
		a.Path = path
		meta, _ := json.Marshal(a)
		return b.Put([]byte(id), meta)
	})
}

// GetAttachment returns an attachment and its bytes (copied out).
func (s *Store) GetAttachment(session, id string) (Attachment, []byte, error) {
	var a Attachment
	var data []byte
	err := s.bolt.View(func(tx *bolt.Tx) error {
		b := attachBucket(tx, session)
		if b == nil || b.Get([]byte(id)) == nil {
			return ErrNotFound
		}
		if err := json.Unmarshal(b.Get([]byte(id)), &a); err != nil {
			return err
		}
		data = append([]byte(nil), b.Get([]byte(id+".data"))...)
		return nil
	})
	return a, data, err
}

// Attachments lists a session's attachments (without their bytes).
func (s *Store) Attachments(session string) ([]Attachment, error) {
	var out []Attachment
	err := s.bolt.View(func(tx *bolt.Tx) error {
		b := attachBucket(tx, session)
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			var a Attachment
			if json.Unmarshal(v, &a) == nil && a.ID == string(k) {
				out = append(out, a)
			}
			return nil
		})
	})
	return out, err
}

func attachBucket(tx *bolt.Tx, session string) *bolt.Bucket {
	root := tx.Bucket(bucketAttachments)
	if root == nil {
		return nil
	}
	return root.Bucket([]byte(session))
}

// dropAttachments forgets a session's attachments with its log.
func dropAttachments(tx *bolt.Tx, id string) error {
	root := tx.Bucket(bucketAttachments)
	if root == nil || root.Bucket([]byte(id)) == nil {
		return nil
	}
	return root.DeleteBucket([]byte(id))
}
