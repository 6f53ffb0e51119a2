package db

import (
	"errors"
	"time"

	bolt "go.etcd.io/bbolt"
)

// ErrNotEnded refuses archiving or forgetting a session whose program may
// still run: only an ended session, or an offline one (its wrap is gone),
// may be put away.
var ErrNotEnded = errors.New("the session is live: stop its program first (Stop on the session page), then archive or forget it")

// SetArchived archives (on) or restores a session: an archived session is
// left out of the lobby and listed under Archived; nothing else changes.
// Only an ended or offline session may be archived; any may be restored.
func (s *Store) SetArchived(id string, on bool, by string, now time.Time) (Session, error) {
	var out Session
	err := s.bolt.Update(func(tx *bolt.Tx) error {
		cur, err := getSession(tx, id)
		if err != nil {
			return err
		}
		if on && cur.Status == StatusLive {
			return ErrNotEnded
		}
		cur.Archived, cur.ArchivedBy, cur.ArchivedAt = on, by, now.UTC()
		if !on {
			cur.ArchivedBy, cur.ArchivedAt = "", time.Time{}
		}
		out = cur
		return putSession(tx, cur)
	})
	return out, err
}

// ForgetSession deletes a session's record, its event log, its transcript
// index and its usage calls in one transaction, and takes the log's size
// off the store's counters. Only an ended or offline session may be
// forgotten. Its short number is never given again (nextSessionNumber).
func (s *Store) ForgetSession(id string) (Session, error) {
	var out Session
	err := s.bolt.Update(func(tx *bolt.Tx) error {
		cur, err := getSession(tx, id)
		if err != nil {
			return err
		}
		if cur.Status == StatusLive {
			return ErrNotEnded
		}
		out = cur
		logs := tx.Bucket(bucketLogs)
		if log := logs.Bucket([]byte(id)); log != nil {
			var events, bytes int64
			if err := log.ForEach(func(_, v []byte) error { events++; bytes += int64(len(v)); return nil }); err != nil {
				return err
			}
			if err := logs.DeleteBucket([]byte(id)); err != nil {
				return err
			}
			if err := addUsage(tx, -events, -bytes); err != nil {
				return err
			}
		}
		if err := dropTranscriptIndex(tx, id); err != nil {
			return err
		}
		if err := dropUsageCalls(tx, id); err != nil {
			return err
		}
		if err := dropSessionShares(tx, id); err != nil {
			return err
		}
		return tx.Bucket(bucketSessions).Delete([]byte(id))
	})
	return out, err
}
