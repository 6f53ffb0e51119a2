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
		if logs == nil {
			return nil
		}
		return logs.ForEach(func(k, v []byte) error {
			if !isTranscriptFrame(v) {
				return nil
			}
			e, err := wire.Unmarshal(append([]byte(nil), v...))
			if err != nil {
				return fmt.Errorf("event %d of %s: %w", binary.BigEndian.Uint64(k), id, err)
			}
			var en wire.TranscriptEntry
			if e.Type != wire.TypeTranscriptEntry || e.Decode(&en) != nil {
				return nil // a malformed entry is not worth failing the whole transcript
			}
			out = append(out, TranscriptEntry{Seq: e.Seq, TranscriptEntry: en})
			return nil
		})
	})
	return out, err
}

// isTranscriptFrame looks for the type field in the first bytes of a frame's
// header (wire.Marshal writes "v" then "type" first).
func isTranscriptFrame(v []byte) bool {
	head := v[:min(len(v), 64)]
	return bytes.Contains(head, transcriptMark)
}
