package db

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	bolt "go.etcd.io/bbolt"
)

// bucketAudit is the append-only audit log: 8-byte seq -> JSON AuditEntry.
var bucketAudit = []byte("audit")

// AuditEntry is one audited action. Each entry holds the hash of the one
// before it, so changing or removing an entry breaks the chain from there.
type AuditEntry struct {
	Seq     uint64    `json:"seq"`
	Time    time.Time `json:"time"`
	Actor   string    `json:"actor"`
	Action  string    `json:"action"`
	Subject string    `json:"subject"`
	Addr    string    `json:"addr,omitempty"`
	Prev    string    `json:"prev"`
	Hash    string    `json:"hash"`
}

// chainHash is the hash an entry must carry.
func chainHash(e AuditEntry) string {
	h := sha256.New()
	for _, f := range []string{strconv.FormatUint(e.Seq, 10), e.Time.UTC().Format(time.RFC3339Nano), e.Actor, e.Action, e.Subject, e.Addr, e.Prev} {
		h.Write([]byte(strconv.Itoa(len(f)) + ":" + f + "\n")) // length-prefixed: no field can forge another
	}
	return hex.EncodeToString(h.Sum(nil))
}

// AppendAudit appends entries, in order, in one transaction.
func (s *Store) AppendAudit(entries ...AuditEntry) error {
	if len(entries) == 0 {
		return nil
	}
	return s.bolt.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bucketAudit)
		if err != nil {
			return err
		}
		b.FillPercent = 0.95 // append-only
		var prev AuditEntry
		if k, v := b.Cursor().Last(); k != nil {
			if err := json.Unmarshal(v, &prev); err != nil {
				return fmt.Errorf("audit log tail is unreadable: %w", err)
			}
		}
		for _, e := range entries {
			e.Seq, e.Prev = prev.Seq+1, prev.Hash
			e.Time = e.Time.UTC()
			e.Hash = chainHash(e)
			v, err := json.Marshal(e)
			if err != nil {
				return err
			}
			if err := b.Put(seqKey(e.Seq), v); err != nil {
				return err
			}
			prev = e
		}
		return nil
	})
}

// AuditEntries returns up to limit entries, newest first, with seq < before
// (0: from the newest).
func (s *Store) AuditEntries(limit int, before uint64) ([]AuditEntry, error) {
	var out []AuditEntry
	err := s.bolt.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketAudit)
		if b == nil {
			return nil
		}
		c := b.Cursor()
		var k, v []byte
		if before == 0 {
			k, v = c.Last()
		} else {
			c.Seek(seqKey(before))
			k, v = c.Prev()
		}
		for ; k != nil && len(out) < limit; k, v = c.Prev() {
			var e AuditEntry
			if err := json.Unmarshal(v, &e); err != nil {
				return err
			}
			out = append(out, e)
		}
		return nil
	})
	return out, err
}

// AuditReport is the result of checking the chain.
type AuditReport struct {
	Entries  int
	BrokenAt uint64 // first entry that does not verify; 0 when the chain is whole
	Reason   string
}

// VerifyAudit walks the whole chain.
func (s *Store) VerifyAudit() (AuditReport, error) {
	var r AuditReport
	err := s.bolt.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketAudit)
		if b == nil {
			return nil
		}
		prevHash, want := "", uint64(1)
		return b.ForEach(func(k, v []byte) error {
			r.Entries++
			seq := binary.BigEndian.Uint64(k)
			var e AuditEntry
			switch {
			case json.Unmarshal(v, &e) != nil:
				r.Reason = "entry is not valid JSON"
			case seq != want || e.Seq != seq:
				r.Reason = fmt.Sprintf("expected entry %d here (entries removed or reordered)", want)
			case e.Prev != prevHash:
				r.Reason = "does not link to the entry before it"
			case chainHash(e) != e.Hash:
				r.Reason = "content does not match its hash (changed after it was written)"
			}
			if r.Reason != "" {
				r.BrokenAt = seq
				return errStopWalk
			}
			prevHash, want = e.Hash, want+1
			return nil
		})
	})
	if err == errStopWalk {
		err = nil
	}
	return r, err
}

var errStopWalk = fmt.Errorf("stop")

// AuditHead is the newest entry of the audit log: its seq and hash. An
// exported head (backups, /metrics, the signed head file) lets a verifier
// tell a log whose newest entries were cut off from a whole one.
type AuditHead struct {
	Seq  uint64 `json:"seq"`
	Hash string `json:"hash"`
}

// AuditHead returns the newest entry's seq and hash (zero: an empty log).
func (s *Store) AuditHead() (AuditHead, error) {
	var h AuditHead
	err := s.bolt.View(func(tx *bolt.Tx) error {
		var err error
		h, err = auditHead(tx)
		return err
	})
	return h, err
}

// auditHead is AuditHead within tx.
func auditHead(tx *bolt.Tx) (AuditHead, error) {
	b := tx.Bucket(bucketAudit)
	if b == nil {
		return AuditHead{}, nil
	}
	k, v := b.Cursor().Last()
	if k == nil {
		return AuditHead{}, nil
	}
	var e AuditEntry
	if err := json.Unmarshal(v, &e); err != nil {
		return AuditHead{}, fmt.Errorf("audit log tail is unreadable: %w", err)
	}
	return AuditHead{Seq: e.Seq, Hash: e.Hash}, nil
}

// CheckAuditHead says how the log differs from a head exported earlier,
// or "" when entry want.Seq is there with want.Hash (entries after it are
// newer, which is fine). Run VerifyAudit first: this trusts the chain.
func (s *Store) CheckAuditHead(want AuditHead) (string, error) {
	if want.Seq == 0 {
		return "", nil
	}
	var got AuditEntry
	found := false
	err := s.bolt.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketAudit)
		if b == nil {
			return nil
		}
		v := b.Get(seqKey(want.Seq))
		if v == nil {
			return nil
		}
		found = true
		return json.Unmarshal(v, &got)
	})
	switch {
	case err != nil:
		return "", err
	case !found:
		head, err := s.AuditHead()
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("truncated: the log ends at entry %d but the hub recorded entry %d; the newest %d entries were removed", head.Seq, want.Seq, want.Seq-head.Seq), nil
	case got.Hash != want.Hash:
		return fmt.Sprintf("entry %d is not the one the hub recorded (hash %.12s…, recorded %.12s…): the log was cut and rewritten from there", want.Seq, got.Hash, want.Hash), nil
	}
	return "", nil
}
