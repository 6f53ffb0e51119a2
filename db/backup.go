package db

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"time"

	bolt "go.etcd.io/bbolt"
)

// FileName is the store file inside the data directory.
const FileName = "ct.db"

// Backup writes a consistent copy of the whole store (a hot backup): one
// read transaction sees a single moment while the hub keeps writing. begin is
// called first with the copy's exact size, so an HTTP response can carry a
// Content-Length and the receiver can tell a cut-short copy from a whole one,
// and with the audit head the copy holds (read in the same transaction), so
// the backup's metadata can carry it: a restored store must still reach it.
func (s *Store) Backup(begin func(size int64, head AuditHead) io.Writer) (int64, error) {
	var n int64
	err := s.bolt.View(func(tx *bolt.Tx) error {
		head, err := auditHead(tx)
		if err != nil {
			return err
		}
		n, err = tx.WriteTo(begin(tx.Size(), head))
		return err
	})
	return n, err
}

// Check describes a store file that Inspect found sound.
type Check struct {
	Schema   int
	Sessions int
	Nodes    int
}

// Inspect opens the store file at path read-only and checks it from end to
// end: bbolt's page consistency, ct's buckets, and a schema version this ct
// can read (it may be older: ct serve upgrades it on start).
func Inspect(path string) (Check, error) {
	var c Check
	b, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: 2 * time.Second})
	if err != nil {
		return c, fmt.Errorf("%s is not a ct store: %w", path, err)
	}
	defer b.Close()
	err = b.View(func(tx *bolt.Tx) error {
		// Drain every report: Check's goroutine reads tx until the channel closes.
		var bad error
		for err := range tx.Check() {
			if bad == nil {
				bad = err
			}
		}
		if bad != nil {
			return fmt.Errorf("%s is damaged: %w", path, bad)
		}
		for _, name := range [][]byte{bucketMeta, bucketNodes, bucketSessions, bucketLogs} {
			if tx.Bucket(name) == nil {
				return fmt.Errorf("%s is a bbolt file but not a ct store (no %q bucket)", path, name)
			}
		}
		v := tx.Bucket(bucketMeta).Get(keySchema)
		n, err := strconv.Atoi(string(v))
		if err != nil {
			return fmt.Errorf("%s has a corrupt schema version %q", path, v)
		}
		if n > SchemaVersion {
			return fmt.Errorf("store %s has schema version %d but this ct understands up to %d: upgrade ct", path, n, SchemaVersion)
		}
		c.Schema = n
		c.Sessions = tx.Bucket(bucketSessions).Stats().KeyN
		c.Nodes = tx.Bucket(bucketNodes).Stats().KeyN
		return nil
	})
	return c, err
}

// lockIdle takes the store file's lock to prove no ct serve holds it. The
// caller closes the returned handle (nil when there is no file) when done.
func lockIdle(path string) (*bolt.DB, error) {
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	b, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	if errors.Is(err, bolt.ErrTimeout) {
		return nil, fmt.Errorf("%s is in use by a running ct serve; stop the hub first", path)
	}
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	return b, nil
}

// Restore makes the backup read from r the store in dir. The copy is written
// beside the store, checked with Inspect, and only then renamed into place,
// so a bad or cut-short backup never replaces anything. An existing store is
// replaced only when replace is set, and is kept as ct.db.before-restore-TIME.
// It refuses while a hub holds the store. It returns the check of the
// restored file and where the previous store was kept ("" if none).
func Restore(dir string, r io.Reader, replace bool) (Check, string, error) {
	var c Check
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return c, "", fmt.Errorf("create data dir %s: %w", dir, err)
	}
	path := filepath.Join(dir, FileName)
	held, err := lockIdle(path)
	if err != nil {
		return c, "", err
	}
	if held != nil {
		defer held.Close()
		if !replace {
			return c, "", fmt.Errorf("%s already holds a store; pass --force to replace it (the current file is kept beside it)", path)
		}
	}
	tmp, err := writeTemp(dir, r)
	if err != nil {
		return c, "", err
	}
	defer os.Remove(tmp) // a no-op once renamed into place
	if c, err = Inspect(tmp); err != nil {
		return c, "", fmt.Errorf("backup rejected, nothing changed: %w", err)
	}
	var kept string
	if held != nil {
		kept = path + ".before-restore-" + time.Now().UTC().Format("20060102T150405Z")
		if err := os.Rename(path, kept); err != nil {
			return c, "", fmt.Errorf("keep the current store: %w", err)
		}
	}
	if err := os.Rename(tmp, path); err != nil {
		return c, kept, fmt.Errorf("put the restored store in place: %w", err)
	}
	return c, kept, syncDir(dir)
}

// writeTemp copies r to a new file in dir and syncs it to disk.
func writeTemp(dir string, r io.Reader) (string, error) {
	f, err := os.CreateTemp(dir, FileName+".incoming-*")
	if err != nil {
		return "", fmt.Errorf("create a file in %s: %w", dir, err)
	}
	_, err = io.Copy(f, r)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return "", fmt.Errorf("write %s: %w", f.Name(), err)
	}
	return f.Name(), nil
}

// syncDir makes a rename in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// compactTxSize bounds each transaction of a compaction: big enough to be
// quick, small enough that memory stays modest on a large store.
const compactTxSize = 64 << 20

// Compact rewrites the store in dir into a fresh, densely packed file and
// swaps it in, giving back the space of pages that deletes freed (bbolt
// reuses free pages but never shrinks its file). It refuses while a hub holds
// the store. It returns the file sizes before and after; when the rewrite
// would not be smaller, the store is left as it is.
func Compact(dir string) (before, after int64, err error) {
	path := filepath.Join(dir, FileName)
	src, err := lockIdle(path)
	if err != nil {
		return 0, 0, err
	}
	if src == nil {
		return 0, 0, fmt.Errorf("no store at %s; pass the --data directory ct serve uses", path)
	}
	defer src.Close()
	fi, err := os.Stat(path)
	if err != nil {
		return 0, 0, err
	}
	tmp := filepath.Join(dir, FileName+".compact")
	_ = os.Remove(tmp) // left over from an interrupted run
	dst, err := bolt.Open(tmp, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		return 0, 0, fmt.Errorf("create %s: %w", tmp, err)
	}
	if err := bolt.Compact(dst, src, compactTxSize); err != nil {
		dst.Close()
		os.Remove(tmp)
		return 0, 0, fmt.Errorf("compact %s: %w (the store is unchanged)", path, err)
	}
	if err := dst.Close(); err != nil {
		os.Remove(tmp)
		return 0, 0, err
	}
	if _, err := Inspect(tmp); err != nil {
		os.Remove(tmp)
		return 0, 0, fmt.Errorf("compacted copy failed its check, the store is unchanged: %w", err)
	}
	nfi, err := os.Stat(tmp)
	if err != nil {
		return 0, 0, err
	}
	if nfi.Size() >= fi.Size() {
		// Nothing to give back (a small or already packed store): keep it.
		os.Remove(tmp)
		return fi.Size(), fi.Size(), nil
	}
	if err := os.Rename(tmp, path); err != nil {
		return 0, 0, fmt.Errorf("put the compacted store in place: %w", err)
	}
	return fi.Size(), nfi.Size(), syncDir(dir)
}
