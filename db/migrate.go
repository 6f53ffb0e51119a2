package db

import (
	"fmt"
	"strconv"

	bolt "go.etcd.io/bbolt"
)

// A migration turns a store of schema version From into From+1. Each runs
// inside the one transaction that opens the store, together with the others
// and the new version number, so a crash mid-upgrade leaves the old store
// untouched and the next start simply tries again.
type migration struct {
	From int
	What string // one line, shown in the upgrade log
	Run  func(tx *bolt.Tx) error
}

// migrations lists every step, oldest first; migrations[i].From == i+1.
// To change the layout: bump SchemaVersion, append a step, keep a store file
// made by the previous version in testdata and test the upgrade from it.
var migrations = []migration{
	{From: 1, What: "count the stored events and their bytes into meta (for metrics and retention)", Run: migrateCountUsage},
}

// migrate brings a store at version from up to SchemaVersion inside tx and
// writes the new version. It returns what was done, for the log.
func migrate(tx *bolt.Tx, from int) ([]string, error) {
	var done []string
	for v := from; v < SchemaVersion; v++ {
		i := v - 1
		if i < 0 || i >= len(migrations) || migrations[i].From != v {
			return done, fmt.Errorf("no migration from schema version %d; this ct cannot upgrade such a store", v)
		}
		if err := migrations[i].Run(tx); err != nil {
			return done, fmt.Errorf("migrate schema %d to %d (%s): %w", v, v+1, migrations[i].What, err)
		}
		done = append(done, fmt.Sprintf("schema %d -> %d: %s", v, v+1, migrations[i].What))
	}
	if err := tx.Bucket(bucketMeta).Put(keySchema, []byte(strconv.Itoa(SchemaVersion))); err != nil {
		return done, fmt.Errorf("write schema version: %w", err)
	}
	return done, nil
}

// migrateCountUsage (1 -> 2) fills meta's usage counters from the logs as
// they are, so the counters that AppendEvents and retention keep from now on
// start right. Version 1 had no counters and no trimmed sessions.
func migrateCountUsage(tx *bolt.Tx) error {
	var u Usage
	err := tx.Bucket(bucketLogs).ForEachBucket(func(name []byte) error {
		return tx.Bucket(bucketLogs).Bucket(name).ForEach(func(_, v []byte) error {
			u.Events++
			u.Bytes += int64(len(v))
			return nil
		})
	})
	if err != nil {
		return err
	}
	return putUsage(tx, u)
}

// Migrated lists the upgrade steps Open ran on this store (none when it was
// already current), so ct serve can log them.
func (s *Store) Migrated() []string { return s.migrated }
