package db

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ct-dev/ct/wire"
	bolt "go.etcd.io/bbolt"
)

// A store written by the schema-1 ct (testdata/v1.db) opens in this ct: it is
// upgraded once, keeps every session, node and event, and its usage counters
// match what the logs hold.
func TestMigrateFromV1(t *testing.T) {
	dir := t.TempDir()
	opsCopy(t, filepath.Join("testdata", "v1.db"), dir)
	if c, err := Inspect(filepath.Join(dir, FileName)); err != nil || c.Schema != 1 {
		t.Fatalf("testdata store: %+v %v, want schema 1", c, err)
	}

	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got := s.Migrated(); len(got) != SchemaVersion-1 || !strings.Contains(got[0], "schema 1 -> 2") {
		t.Fatalf("migrations run: %q", got)
	}
	var schema string
	_ = s.bolt.View(func(tx *bolt.Tx) error { schema = string(tx.Bucket(bucketMeta).Get(keySchema)); return nil })
	if schema != "2" {
		t.Fatalf("schema after upgrade %q, want 2", schema)
	}

	ended, err := s.GetSession("s-ended")
	if err != nil {
		t.Fatal(err)
	}
	if ended.Status != StatusEnded || ended.ExitCode == nil || *ended.ExitCode != 0 || ended.LastSeq != 43 || ended.Cols != 120 || ended.LogTrimmed {
		t.Fatalf("s-ended after upgrade: %+v", ended)
	}
	off, err := s.GetSession("s-offline")
	if err != nil {
		t.Fatal(err)
	}
	if off.Status != StatusOffline || off.DroppedBytes != 4096 || off.LastSeq != 8 {
		t.Fatalf("s-offline after upgrade: %+v", off)
	}
	nodes, err := s.Nodes()
	if err != nil || len(nodes) != 2 || nodes[0].Name != "box1" || nodes[1].OS != "darwin" {
		t.Fatalf("nodes after upgrade: %+v %v", nodes, err)
	}
	log := opsLog(t, s, "s-ended")
	if len(log) != 43 || string(log[0].Data) != "line 01 of the test run\r\n" || log[42].Type != wire.TypeSessionEnd {
		t.Fatalf("s-ended log after upgrade: %d events", len(log))
	}
	if n := len(opsLog(t, s, "s-offline")); n != 6 {
		t.Fatalf("s-offline log after upgrade: %d events, want 6", n)
	}
	u := opsUsage(t, s)
	if u.Events != 49 || u != opsCount(t, s) {
		t.Fatalf("usage after upgrade %+v, logs hold %+v (want 49 events)", u, opsCount(t, s))
	}

	// The counters follow new writes, and a second open migrates nothing.
	if _, err := s.AppendEvents([]wire.Envelope{{V: wire.Version, Type: wire.TypePtyOutput, SessionID: "s-offline", Seq: 9, Data: []byte("back\r\n")}}); err != nil {
		t.Fatal(err)
	}
	if u2 := opsUsage(t, s); u2.Events != 50 || u2 != opsCount(t, s) {
		t.Fatalf("usage after a write %+v, logs hold %+v", u2, opsCount(t, s))
	}
	s.Close()
	s2 := opsOpen(t, dir)
	if got := s2.Migrated(); len(got) != 0 {
		t.Fatalf("second open migrated again: %q", got)
	}
}

// A failing step leaves the old store exactly as it was (the whole upgrade
// is one transaction), and the error names the step.
func TestMigrateFailureChangesNothing(t *testing.T) {
	dir := t.TempDir()
	opsCopy(t, filepath.Join("testdata", "v1.db"), dir)
	saved := migrations
	t.Cleanup(func() { migrations = saved })
	migrations = append([]migration(nil), saved...)
	migrations[0].Run = func(tx *bolt.Tx) error {
		if err := migrateCountUsage(tx); err != nil {
			return err
		}
		return errors.New("disk on fire")
	}
	_, err := Open(dir)
	if err == nil || !strings.Contains(err.Error(), "migrate schema 1 to 2") || !strings.Contains(err.Error(), "disk on fire") {
		t.Fatalf("open with a failing migration: %v", err)
	}
	c, err := Inspect(filepath.Join(dir, FileName))
	if err != nil || c.Schema != 1 || c.Sessions != 2 {
		t.Fatalf("store after a failed upgrade: %+v %v, want schema 1 with 2 sessions", c, err)
	}
	var usage []byte
	b, err := bolt.Open(filepath.Join(dir, FileName), 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	_ = b.View(func(tx *bolt.Tx) error { usage = tx.Bucket(bucketMeta).Get(keyUsageEvents); return nil })
	b.Close()
	if usage != nil {
		t.Fatal("a failed upgrade left usage counters behind")
	}
}

// Every version below the current one has a step, in order.
func TestMigrationsCoverEveryVersion(t *testing.T) {
	if len(migrations) != SchemaVersion-1 {
		t.Fatalf("%d migrations for schema version %d", len(migrations), SchemaVersion)
	}
	for i, m := range migrations {
		if m.From != i+1 || m.Run == nil || m.What == "" {
			t.Fatalf("migration %d: from %d, what %q", i, m.From, m.What)
		}
	}
}
