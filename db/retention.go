package db

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Usage is what the session logs hold: events and the bytes of their stored
// frames. It lives in meta and changes in the same transaction as the logs,
// so it is exact and reading it costs nothing (metrics ask for it often).
type Usage struct {
	Events int64
	Bytes  int64
}

var (
	keyUsageEvents = []byte("usage_events")
	keyUsageBytes  = []byte("usage_bytes")
)

// Usage reports what the session logs hold now.
func (s *Store) Usage() (Usage, error) {
	var u Usage
	err := s.bolt.View(func(tx *bolt.Tx) error { u = getUsage(tx); return nil })
	return u, err
}

func getUsage(tx *bolt.Tx) Usage {
	meta := tx.Bucket(bucketMeta)
	read := func(k []byte) int64 {
		if v := meta.Get(k); len(v) == 8 {
			return int64(binary.BigEndian.Uint64(v))
		}
		return 0
	}
	return Usage{Events: read(keyUsageEvents), Bytes: read(keyUsageBytes)}
}

func putUsage(tx *bolt.Tx, u Usage) error {
	meta := tx.Bucket(bucketMeta)
	// Fresh slices each: bbolt keeps a reference to a value until commit.
	if err := meta.Put(keyUsageEvents, binary.BigEndian.AppendUint64(nil, uint64(max(u.Events, 0)))); err != nil {
		return err
	}
	return meta.Put(keyUsageBytes, binary.BigEndian.AppendUint64(nil, uint64(max(u.Bytes, 0))))
}

// addUsage adjusts the counters by a change made in the same transaction.
func addUsage(tx *bolt.Tx, events, bytes int64) error {
	u := getUsage(tx)
	u.Events += events
	u.Bytes += bytes
	return putUsage(tx, u)
}

// TrimResult says what one retention pass removed.
type TrimResult struct {
	Sessions int   // sessions whose log was emptied
	Events   int64 // events deleted
	Bytes    int64 // bytes of stored frames deleted
}

// trimChunk bounds one trimming transaction, so the hub's batched writer
// never waits long behind retention for bbolt's single write lock.
const (
	trimChunkEvents = 1000
	trimChunkBytes  = 1 << 20
)

// TrimEnded empties the event logs of sessions that ended before cutoff and
// marks them LogTrimmed; the session records stay. Live and offline sessions
// are never touched, however old. Work is done in many small transactions and
// stops early when ctx is cancelled; a later pass carries on.
func (s *Store) TrimEnded(ctx context.Context, cutoff time.Time) (TrimResult, error) {
	var res TrimResult
	var ids []string
	err := s.bolt.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketSessions).ForEach(func(k, v []byte) error {
			var ss Session
			if err := json.Unmarshal(v, &ss); err != nil {
				return fmt.Errorf("decode session %s: %w", k, err)
			}
			if trimmable(ss, cutoff) {
				ids = append(ids, ss.ID)
			}
			return nil
		})
	})
	if err != nil {
		return res, err
	}
	for _, id := range ids {
		_, err := s.inSteps(ctx, func(tx *bolt.Tx) (bool, error) { return trimStep(tx, id, cutoff, &res) })
		if err != nil {
			return res, fmt.Errorf("trim log of session %s: %w", id, err)
		}
	}
	return res, nil
}

// inSteps runs step in one write transaction after another until it says
// done, checking ctx between them (so retention stops at a shutdown and
// never holds the write lock for long). It reports how many steps changed
// something (those that were not done).
func (s *Store) inSteps(ctx context.Context, step func(*bolt.Tx) (done bool, err error)) (int, error) {
	n := 0
	for done := false; !done; {
		if err := ctx.Err(); err != nil {
			return n, err
		}
		err := s.bolt.Update(func(tx *bolt.Tx) error {
			var err error
			done, err = step(tx)
			return err
		})
		if err != nil {
			return n, err
		}
		if !done {
			n++
		}
	}
	return n, nil
}

// trimmable says whether ss's log is due for trimming.
func trimmable(ss Session, cutoff time.Time) bool {
	if ss.Status != StatusEnded || ss.LogTrimmed {
		return false
	}
	end := ss.EndedAt
	if end.IsZero() {
		end = ss.LastActivity
	}
	if end.IsZero() {
		end = ss.StartedAt
	}
	return end.Before(cutoff)
}

// trimStep deletes one chunk of id's log, or, when it is empty, marks the
// session trimmed and reports done. The session is checked again under the
// write lock: it may have changed since the scan.
func trimStep(tx *bolt.Tx, id string, cutoff time.Time, res *TrimResult) (done bool, err error) {
	ss, err := getSession(tx, id)
	if err == ErrNotFound {
		return true, nil
	}
	if err != nil || !trimmable(ss, cutoff) {
		return true, err
	}
	logs := tx.Bucket(bucketLogs)
	if log := logs.Bucket([]byte(id)); log != nil {
		var keys [][]byte
		var n int64
		c := log.Cursor()
		for k, v := c.First(); k != nil && len(keys) < trimChunkEvents && n < trimChunkBytes; k, v = c.Next() {
			keys = append(keys, append([]byte(nil), k...))
			n += int64(len(v))
		}
		if len(keys) > 0 {
			// Collected first: deleting under a live cursor skips keys.
			for _, k := range keys {
				if err := log.Delete(k); err != nil {
					return false, err
				}
			}
			res.Events += int64(len(keys))
			res.Bytes += n
			return false, addUsage(tx, -int64(len(keys)), -n)
		}
		if err := logs.DeleteBucket([]byte(id)); err != nil {
			return false, err
		}
		if err := dropTranscriptIndex(tx, id); err != nil {
			return false, err
		}
		if err := dropUsageCalls(tx, id); err != nil {
			return false, err
		}
		if err := dropAttachments(tx, id); err != nil {
			return false, err
		}
	}
	ss.LogTrimmed, ss.LogBytes = true, 0
	res.Sessions++
	return true, putSession(tx, ss)
}

// Retention is what RunRetention trims: the logs of sessions that ended
// more than Keep ago (0: none), and every log beyond MaxSessionLog bytes
// (0: no bound; TrimLong).
type Retention struct {
	Keep          time.Duration
	MaxSessionLog int64
}

// RunRetention applies r every interval until ctx ends; the first pass runs
// at once. report is told the outcome of each pass (for the log).
func (s *Store) RunRetention(ctx context.Context, r Retention, interval time.Duration, report func(TrimResult, error)) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		res, err := s.retentionPass(ctx, r)
		if ctx.Err() != nil {
			return
		}
		report(res, err)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// retentionPass is one pass of r: ended sessions first (what they free
// needs no bounding), then long logs.
func (s *Store) retentionPass(ctx context.Context, r Retention) (TrimResult, error) {
	var res TrimResult
	if r.Keep > 0 {
		var err error
		if res, err = s.TrimEnded(ctx, time.Now().Add(-r.Keep)); err != nil {
			return res, err
		}
	}
	if r.MaxSessionLog > 0 {
		long, err := s.TrimLong(ctx, r.MaxSessionLog)
		res.Sessions += long.Sessions
		res.Events += long.Events
		res.Bytes += long.Bytes
		return res, err
	}
	return res, nil
}

// ParseAge reads a retention age: a number with d (days) or w (weeks), or
// anything time.ParseDuration takes ("36h"). "" and "off" mean no retention
// (zero).
func ParseAge(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "" || s == "off" || s == "0" {
		return 0, nil
	}
	unit := time.Duration(0)
	switch {
	case strings.HasSuffix(s, "d"):
		unit = 24 * time.Hour
	case strings.HasSuffix(s, "w"):
		unit = 7 * 24 * time.Hour
	}
	if unit != 0 {
		n, err := strconv.ParseFloat(s[:len(s)-1], 64)
		if err != nil || n <= 0 {
			return 0, fmt.Errorf("retention %q: write a positive age like 30d, 2w or 36h, or off", s)
		}
		return time.Duration(n * float64(unit)), nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("retention %q: write a positive age like 30d, 2w or 36h, or off", s)
	}
	return d, nil
}

// Space is how the store file is used. bbolt never shrinks its file: pages
// freed by deletes (retention) go on a free list and are reused by later
// writes, so the file stops growing once retention frees as much as new
// sessions add. Free is what ct compact would give back now.
type Space struct {
	File int64 // bytes of the file on disk
	Used int64 // bytes of pages up to the high-water mark
	Free int64 // bytes of free pages waiting for reuse
}

// Space reports the store file's size and free space.
func (s *Store) Space() Space {
	var sp Space
	if fi, err := os.Stat(s.path); err == nil {
		sp.File = fi.Size()
	}
	_ = s.bolt.View(func(tx *bolt.Tx) error { sp.Used = tx.Size(); return nil })
	sp.Free = int64(s.bolt.Stats().FreeAlloc)
	return sp
}
