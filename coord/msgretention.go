package coord

import (
	"bytes"
	"encoding/json"
	"time"

	"github.com/ct-dev/ct/db"
)

// Message retention: a message nobody needs any more (read by the one it
// was for, and answered when it asked to be) is deleted a while later
// (Limits.MessageRetention, 24 h by default), so the store holds the
// live conversation, not every message ever. The audit log keeps who sent
// what to whom and when it went (message.send, message.expire). A message
// never read, or never answered when it asked to be, is kept.

// DefaultMessageRetention is how long a settled message is kept.
const DefaultMessageRetention = 24 * time.Hour

// maxExpirePerSweep bounds one sweep's transaction: a backlog is worked
// off over a few sweeps rather than in one long write that stalls sends.
const maxExpirePerSweep = 1000

// SettledAt is when m stopped needing anyone: its first reading by someone
// it was for, or its first answer when it asked for one; zero while it
// still needs someone. The sender's own receipts count only for a message
// to itself.
func SettledAt(m *Message) time.Time {
	var read, acked time.Time
	for peer, r := range m.Receipts {
		if peer == m.From && m.To != m.From {
			continue
		}
		read = earliest(read, r.ReadAt)
		acked = earliest(acked, r.AckedAt)
	}
	if m.RequiresResponse {
		return acked
	}
	return read
}

func earliest(a, b time.Time) time.Time {
	if a.IsZero() || (!b.IsZero() && b.Before(a)) {
		return b
	}
	return a
}

// ExpireMessages deletes the messages settled longer ago than the
// retention and returns them (the caller records them in the audit log).
func (s *Service) ExpireMessages() ([]Message, error) {
	cutoff := s.clock.Now().UTC().Add(-s.lim.MessageRetention)
	var gone []Message
	err := s.store.CoordUpdate(func(tx db.CoordTx) error {
		var keys [][]byte
		err := tx.Each(bMessages, false, func(k, val []byte) (bool, error) {
			var m Message
			if err := json.Unmarshal(val, &m); err != nil {
				return false, err
			}
			if at := SettledAt(&m); !at.IsZero() && !at.After(cutoff) {
				keys = append(keys, bytes.Clone(k))
				gone = append(gone, m)
			}
			return len(keys) < maxExpirePerSweep, nil
		})
		if err != nil {
			return err
		}
		for i, k := range keys { // collected above, deleted here
			if err := tx.Delete(bMessages, k); err != nil {
				return err
			}
			if m := &gone[i]; m.RequiresResponse && m.Deadline != nil {
				if err := tx.Delete(bDue, dueKey(m, seqOf(k))); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return gone, nil
}
