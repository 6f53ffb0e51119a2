package db

import (
	"bytes"
	"encoding/binary"
	"fmt"

	"github.com/ct-dev/ct/wire"
	bolt "go.etcd.io/bbolt"
)

// TranscriptEntry is one stored step of an agent's conversation with the seq
// of its event in the session's log.
type TranscriptEntry struct {
	Seq uint64
	wire.TranscriptEntry
}

// transcriptMark is how a stored transcript.entry frame's JSON header starts
// its type field; frames of other types are skipped without decoding them
// (a log is mostly output).
var transcriptMark = []byte(`"type":"` + wire.TypeTranscriptEntry + `"`)

// bucketTranscripts indexes each session's transcript entries:
// transcripts/<session id> holds 8-byte seq -> nothing, one key per stored
// transcript.entry frame, so reading a transcript visits its entries only,
// not every output frame of a log that may hold a gigabyte. A key whose
// frame retention has trimmed is skipped on read; the index never points
// past the log's start in a way that matters.
var bucketTranscripts = []byte("transcripts")

// indexTranscript records that e (a transcript.entry of session id) is
// stored, inside the transaction that stores it.
func indexTranscript(tx *bolt.Tx, id string, seq uint64) error {
	root, err := tx.CreateBucketIfNotExists(bucketTranscripts)
	if err != nil {
		return err
	}
	idx, err := root.CreateBucketIfNotExists([]byte(id))
	if err != nil {
		return fmt.Errorf("create transcript index for %s: %w", id, err)
	}
	idx.FillPercent = 0.95 // keys are appended in order, as in the logs
	return idx.Put(seqKey(seq), nil)
}

// dropTranscriptIndex removes session id's index with its log.
func dropTranscriptIndex(tx *bolt.Tx, id string) error {
	root := tx.Bucket(bucketTranscripts)
	if root == nil || root.Bucket([]byte(id)) == nil {
		return nil
	}
	return root.DeleteBucket([]byte(id))
}

// Transcript returns the transcript entries of session id in log order. A
// session with none (not an agent, or nothing said yet) gives an empty list;
// an unknown one ErrNotFound.
func (s *Store) Transcript(id string) ([]TranscriptEntry, error) {
	var out []TranscriptEntry
	err := s.bolt.View(func(tx *bolt.Tx) error {
		if tx.Bucket(bucketSessions).Get([]byte(id)) == nil {
			return ErrNotFound
		}
		logs := tx.Bucket(bucketLogs).Bucket([]byte(id))
		var idx *bolt.Bucket
		if root := tx.Bucket(bucketTranscripts); root != nil {
			idx = root.Bucket([]byte(id))
		}
		if logs == nil || idx == nil {
			return nil
		}
		return idx.ForEach(func(k, _ []byte) error {
			v := logs.Get(k)
			if v == nil || !isTranscriptFrame(v) {
				return nil // trimmed by retention since it was indexed
			}
			en, ok, err := decodeTranscriptFrame(id, k, v)
			if ok {
				out = append(out, en)
			}
			return err
		})
	})
	return out, err
}

// decodeTranscriptFrame decodes one stored transcript.entry frame; ok is
// false for a malformed entry, which is skipped rather than failing the
// whole transcript.
func decodeTranscriptFrame(id string, k, v []byte) (TranscriptEntry, bool, error) {
	e, err := wire.Unmarshal(append([]byte(nil), v...))
	if err != nil {
		return TranscriptEntry{}, false, fmt.Errorf("event %d of %s: %w", binary.BigEndian.Uint64(k), id, err)
	}
	var en wire.TranscriptEntry
	if e.Type != wire.TypeTranscriptEntry || e.Decode(&en) != nil {
		return TranscriptEntry{}, false, nil
	}
	return TranscriptEntry{Seq: e.Seq, TranscriptEntry: en}, true, nil
}

// ensureTranscriptIndex builds the index once for a store written before it
// existed: one pass over every log, reading only frame heads, in the open
// transaction's place (before anything is served). A store that has the
// bucket is current, since every append since keeps it.
func (s *Store) ensureTranscriptIndex() error {
	return s.bolt.Update(func(tx *bolt.Tx) error {
		if tx.Bucket(bucketTranscripts) != nil {
			return nil
		}
		if _, err := tx.CreateBucket(bucketTranscripts); err != nil {
			return err
		}
		logs := tx.Bucket(bucketLogs)
		return logs.ForEachBucket(func(name []byte) error {
			id := string(name)
			return logs.Bucket(name).ForEach(func(k, v []byte) error {
				if !isTranscriptFrame(v) {
					return nil
				}
				return indexTranscript(tx, id, binary.BigEndian.Uint64(k))
			})
		})
	})
}

// isTranscriptFrame looks for the type field in the first bytes of a frame's
// header (wire.Marshal writes "v" then "type" first).
func isTranscriptFrame(v []byte) bool {
	head := v[:min(len(v), 64)]
	return bytes.Contains(head, transcriptMark)
}
