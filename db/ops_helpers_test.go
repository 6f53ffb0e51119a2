package db

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/ct-dev/ct/wire"
	bolt "go.etcd.io/bbolt"
)

// Helpers for the operations tests (migration, retention, backup); named
// ops* so they stay clear of the store tests' helpers.

func opsOpen(t *testing.T, dir string) *Store {
	t.Helper()
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// opsSession stores a session with n output events and, when ended is not
// zero, a session.end at that time.
func opsSession(t *testing.T, s *Store, id string, started time.Time, n int, ended time.Time) {
	t.Helper()
	if _, err := s.UpsertSession(Session{ID: id, Node: "box", Command: "bash", Cwd: "/src", Cols: 80, Rows: 24, Status: StatusLive, StartedAt: started}); err != nil {
		t.Fatal(err)
	}
	var evs []wire.Envelope
	for i := 1; i <= n; i++ {
		evs = append(evs, wire.Envelope{V: wire.Version, Type: wire.TypePtyOutput, SessionID: id, Seq: uint64(i), TS: started.Add(time.Duration(i) * time.Millisecond), Data: []byte(fmt.Sprintf("%s line %d\r\n", id, i))})
	}
	if !ended.IsZero() {
		p, _ := json.Marshal(wire.SessionEnd{ExitCode: 3, EndedAt: ended})
		evs = append(evs, wire.Envelope{V: wire.Version, Type: wire.TypeSessionEnd, SessionID: id, Seq: uint64(n + 1), TS: ended, Payload: p})
	}
	if _, err := s.AppendEvents(evs); err != nil {
		t.Fatal(err)
	}
}

// opsLog returns every stored event of id.
func opsLog(t *testing.T, s *Store, id string) []wire.Envelope {
	t.Helper()
	var out []wire.Envelope
	if err := s.ReadLog(id, 0, func(e wire.Envelope) error { out = append(out, e); return nil }); err != nil {
		t.Fatalf("read log of %s: %v", id, err)
	}
	return out
}

// opsCount counts the logs' events and bytes the slow way, to check Usage.
func opsCount(t *testing.T, s *Store) Usage {
	t.Helper()
	var u Usage
	_ = s.bolt.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketLogs).ForEachBucket(func(name []byte) error {
			return tx.Bucket(bucketLogs).Bucket(name).ForEach(func(_, v []byte) error {
				u.Events++
				u.Bytes += int64(len(v))
				return nil
			})
		})
	})
	return u
}

func opsUsage(t *testing.T, s *Store) Usage {
	t.Helper()
	u, err := s.Usage()
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// opsDump is everything a person can read from a store: sessions, nodes and
// every log, for comparing two stores.
type opsDump struct {
	Sessions []Session
	Nodes    []Node
	Logs     map[string][]wire.Envelope
}

func opsDumpStore(t *testing.T, s *Store) opsDump {
	t.Helper()
	d := opsDump{Logs: map[string][]wire.Envelope{}}
	var err error
	if d.Sessions, err = s.Sessions(); err != nil {
		t.Fatal(err)
	}
	if d.Nodes, err = s.Nodes(); err != nil {
		t.Fatal(err)
	}
	for _, ss := range d.Sessions {
		d.Logs[ss.ID] = opsLog(t, s, ss.ID)
	}
	return d
}

func opsSame(t *testing.T, a, b opsDump) {
	t.Helper()
	if !reflect.DeepEqual(a, b) {
		t.Fatalf("stores differ:\n%+v\n%+v", a.Sessions, b.Sessions)
	}
}

// opsCopy copies a file (the testdata store into a temp dir).
func opsCopy(t *testing.T, from, toDir string) {
	t.Helper()
	in, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.OpenFile(filepath.Join(toDir, FileName), os.O_CREATE|os.O_WRONLY|os.O_EXCL, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}

func opsWriteTxID(t *testing.T, s *Store) int {
	t.Helper()
	var id int
	_ = s.bolt.View(func(tx *bolt.Tx) error { id = tx.ID(); return nil })
	return id
}
