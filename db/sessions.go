package db

import (
	"encoding/json"
	"fmt"
	"sort"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Session statuses.
const (
	StatusLive    = "live"
	StatusOffline = "offline"
	StatusEnded   = "ended"
)

// Session is one program run under a PTY, as the hub knows it.
type Session struct {
	ID           string    `json:"id"`
	Node         string    `json:"node"`
	Command      string    `json:"command"`
	Args         []string  `json:"args,omitempty"`
	Cwd          string    `json:"cwd"`
	Cols         int       `json:"cols"`
	Rows         int       `json:"rows"`
	Status       string    `json:"status"`
	ExitCode     *int      `json:"exit_code,omitempty"`
	Signal       string    `json:"signal,omitempty"`
	StartedAt    time.Time `json:"started_at"`
	EndedAt      time.Time `json:"ended_at,omitzero"`
	LastActivity time.Time `json:"last_activity,omitzero"`
	LastSeq      uint64    `json:"last_seq"`                // highest durable event seq
	OutputBytes  int64     `json:"output_bytes"`            // bytes of pty.output stored
	DroppedBytes int64     `json:"dropped_bytes"`           // bytes the wrap's spool discarded
	TerminalOnly bool      `json:"terminal_only,omitempty"` // prompts answered only at the terminal
	// LogTrimmed: retention emptied the event log; the record stays.
	LogTrimmed bool `json:"log_trimmed,omitempty"`
}

// UpsertSession stores the wrap's view of a session's metadata. Fields the
// hub owns (seq, counters, end state) are kept from the stored record.
func (s *Store) UpsertSession(in Session) (Session, error) {
	var out Session
	err := s.bolt.Update(func(tx *bolt.Tx) error {
		cur, err := getSession(tx, in.ID)
		if err == ErrNotFound {
			cur = in
		} else if err != nil {
			return err
		} else {
			cur.Node, cur.Command, cur.Args, cur.Cwd = in.Node, in.Command, in.Args, in.Cwd
			cur.Cols, cur.Rows, cur.StartedAt = in.Cols, in.Rows, in.StartedAt
			if cur.Status != StatusEnded {
				cur.Status = in.Status
			}
		}
		out = cur
		return putSession(tx, cur)
	})
	return out, err
}

// SetSessionStatus changes a session's status unless it has ended.
func (s *Store) SetSessionStatus(id, status string) error {
	return s.bolt.Update(func(tx *bolt.Tx) error {
		cur, err := getSession(tx, id)
		if err != nil {
			return err
		}
		if cur.Status == StatusEnded || cur.Status == status {
			return nil
		}
		cur.Status = status
		return putSession(tx, cur)
	})
}

// MarkAllOffline sets every live session offline; the hub calls it at start,
// since no wrap is connected yet.
func (s *Store) MarkAllOffline() error {
	return s.bolt.Update(func(tx *bolt.Tx) error {
		var live []Session
		err := tx.Bucket(bucketSessions).ForEach(func(_, v []byte) error {
			var ss Session
			if err := json.Unmarshal(v, &ss); err != nil {
				return fmt.Errorf("decode session: %w", err)
			}
			if ss.Status == StatusLive {
				live = append(live, ss)
			}
			return nil
		})
		if err != nil {
			return err
		}
		// Written after the scan: bbolt forbids changing a bucket inside its ForEach.
		for _, ss := range live {
			ss.Status = StatusOffline
			if err := putSession(tx, ss); err != nil {
				return err
			}
		}
		return nil
	})
}

// GetSession returns one session or ErrNotFound.
func (s *Store) GetSession(id string) (Session, error) {
	var out Session
	err := s.bolt.View(func(tx *bolt.Tx) error {
		var err error
		out, err = getSession(tx, id)
		return err
	})
	return out, err
}

// Sessions lists every session, newest first.
func (s *Store) Sessions() ([]Session, error) {
	var out []Session
	err := s.bolt.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketSessions).ForEach(func(_, v []byte) error {
			var ss Session
			if err := json.Unmarshal(v, &ss); err != nil {
				return fmt.Errorf("decode session: %w", err)
			}
			out = append(out, ss)
			return nil
		})
	})
	sort.Slice(out, func(i, j int) bool { return out[i].StartedAt.After(out[j].StartedAt) })
	return out, err
}

func getSession(tx *bolt.Tx, id string) (Session, error) {
	var ss Session
	v := tx.Bucket(bucketSessions).Get([]byte(id))
	if v == nil {
		return ss, ErrNotFound
	}
	if err := json.Unmarshal(v, &ss); err != nil {
		return ss, fmt.Errorf("decode session %s: %w", id, err)
	}
	return ss, nil
}

func putSession(tx *bolt.Tx, ss Session) error {
	b, err := json.Marshal(ss)
	if err != nil {
		return fmt.Errorf("encode session: %w", err)
	}
	return tx.Bucket(bucketSessions).Put([]byte(ss.ID), b)
}
