package client

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/ct-dev/ct/platform"
)

// outboxMax bounds the queue: a hub away for a long time must not grow a
// workstation's disk without end; past this the CLI says so and refuses.
const outboxMax = 1000

// outboxEntry is one change waiting for the hub. Its JSON is the on-disk
// format: outboxes written by older ct builds must still replay.
type outboxEntry struct {
	Method   string          `json:"method"`
	Path     string          `json:"path"`
	Body     json.RawMessage `json:"body"`
	QueuedAt time.Time       `json:"queued_at"`
	// Key is the change's Idempotency-Key, the same on every attempt, so
	// the hub applies it once however often it is sent. Entries queued by
	// older builds have none and are sent without.
	Key string `json:"key,omitempty"`
}

// Outbox is a durable, ordered, bounded queue of changes for one hub and
// peer: a JSON-lines file next to ct login's credentials, rewritten whole
// (write to a temporary file, fsync, rename) under an flock so concurrent
// ct commands neither lose nor reorder entries.
type Outbox struct {
	path string
}

// OutboxPath is where the outbox for hub and peer lives:
// outbox/<hash>.jsonl in the credentials' directory.
func OutboxPath(getenv func(string) string, hub, peer string) (string, error) {
	cred, err := CredentialsPath(getenv)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256([]byte(hub + "\x00" + peer))
	return filepath.Join(filepath.Dir(cred), "outbox", hex.EncodeToString(sum[:8])+".jsonl"), nil
}

// OpenOutbox opens (creating its directory, mode 0700) the outbox at path.
func OpenOutbox(path string) (*Outbox, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("create the outbox directory: %w", err)
	}
	return &Outbox{path: path}, nil
}

// locked runs fn holding an exclusive lock on the outbox, then writes
// back what fn returns. The flock (on a side file, since the queue file
// itself is replaced by rename) is what makes two ct commands at once safe.
func (o *Outbox) locked(fn func([]outboxEntry) ([]outboxEntry, error)) error {
	lf, err := os.OpenFile(o.path+".lock", os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return err
	}
	defer lf.Close()
	if err := platform.Lock(lf); err != nil {
		return err
	}
	defer platform.Unlock(lf)
	entries, err := o.read()
	if err != nil {
		return err
	}
	after, err := fn(entries)
	if werr := o.write(after); werr != nil && err == nil {
		err = werr
	}
	return err
}

// read returns the queued entries, skipping lines that do not parse (a
// file cut short by a crash loses at most its last line).
func (o *Outbox) read() ([]outboxEntry, error) {
	f, err := os.Open(o.path)
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []outboxEntry
	sc := bufio.NewScanner(f)
	// 1 MiB a line: a 100 KB message body escaped as JSON fits with room.
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var e outboxEntry
		if json.Unmarshal(sc.Bytes(), &e) == nil {
			out = append(out, e)
		}
	}
	return out, sc.Err()
}

func (o *Outbox) write(entries []outboxEntry) error {
	if len(entries) == 0 {
		err := os.Remove(o.path)
		if os.IsNotExist(err) {
			return nil
		}
		return err
	}
	tmp := o.path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	enc := json.NewEncoder(w)
	for _, e := range entries {
		if err := enc.Encode(e); err != nil {
			f.Close()
			return err
		}
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil { // durable before it replaces the old queue
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, o.path)
}

// add appends a change, refusing when the queue is full.
func (o *Outbox) add(method, path, key string, body any) error {
	b, err := json.Marshal(body)
	if err != nil {
		return err
	}
	return o.locked(func(es []outboxEntry) ([]outboxEntry, error) {
		if len(es) >= outboxMax {
			return es, fmt.Errorf("the hub is unreachable and %d changes are already queued (the limit); nothing more is queued until the hub is back", len(es))
		}
		return append(es, outboxEntry{Method: method, Path: path, Body: b, QueuedAt: time.Now().UTC(), Key: key}), nil
	})
}

// drain hands entries to send in order, removing each one sent; it stops
// at the first error, keeping that entry and the rest.
func (o *Outbox) drain(send func(outboxEntry) error) error {
	return o.locked(func(es []outboxEntry) ([]outboxEntry, error) {
		for i, e := range es {
			if err := send(e); err != nil {
				return es[i:], err
			}
		}
		return nil, nil
	})
}

// Len reports how many changes wait.
func (o *Outbox) Len() int {
	es, _ := o.read()
	return len(es)
}
