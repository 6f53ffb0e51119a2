// Package audit owns the writer of the hub's audit trail: every approval,
// input, wheel and coordination change is queued here and appended to the
// store's hash-chained audit log. It batches entries that arrive together
// into one transaction, and may wait a moment for more to join it
// (Options.BatchWait): one commit and head file per keystroke was the
// largest share of the hub's CPU while a person typed. It must not import
// handlers, hub or anything that serves requests; the hub, the handlers and
// the hub's own services are given one *Log by ct serve.
package audit

import (
	"log/slog"
	"sync"
	"time"

	"github.com/ct-dev/ct/db"
)

// queueLen bounds entries waiting to be written: enough for a burst of
// keystrokes from many pages between two commits.
const queueLen = 4096

// maxBatch bounds one transaction, so a flood still commits in steps.
const maxBatch = 512

// Log appends audit entries from one goroutine, batching those that arrive
// together, so auditing every keystroke sent to a session does not put an
// fsync on the input path. Create with New, stop with Close; readers of the
// stored log call Flush first.
type Log struct {
	store   *db.Store
	log     *slog.Logger
	now     func() time.Time
	in      chan db.AuditEntry
	flushes chan chan struct{} // Flush's requests: each is closed once what was queued before it is stored
	done    chan struct{}

	// mu guards closed against Add: a timer (a wheel expiring) may record
	// after Close, and must write directly instead of into a closed queue.
	mu     sync.RWMutex
	closed bool

	opts Options
	// headMu orders append+sign pairs (the writer and synchronous writes
	// from Add) so the head file never goes back to an older head.
	headMu sync.Mutex
	head   db.AuditHead
}

// Options anchor the log (anchor.go) and pace its commits; the zero value
// does not anchor and commits at once.
type Options struct {
	Key      []byte // signs the head; nil: no head file
	HeadPath string // where the signed head is written
	// BatchWait is how long the writer waits after an entry for more to
	// join its transaction (0: commit at once); only "input" entries wait
	// (mayWait). Entries are stored in order and all of them by Close; a
	// crash loses at most this much typing.
	BatchWait time.Duration
}

// MaxBatchWait bounds the BatchWait ct serve accepts (--audit-batch-wait):
// how much of the typing a crash may lose from the audit log.
const MaxBatchWait = time.Second

// mayWait reports whether e may wait BatchWait for company: only typed
// input, the one entry that comes at typing speed (and whose bytes the
// session's log keeps anyway). Anything else — a decision, a wheel hand-over,
// a grant — is committed at once, with the input queued before it, so a
// crash never loses an acknowledged decision from the audit trail.
func mayWait(e db.AuditEntry) bool { return e.Action == "input" }

// New starts the writer on store; Close flushes and stops it.
func New(store *db.Store, log *slog.Logger) *Log { return NewWith(store, log, Options{}) }

// NewWith is New with the head anchored as o says: the current head is
// signed at once, then after every write.
func NewWith(store *db.Store, log *slog.Logger, o Options) *Log {
	o.BatchWait = max(o.BatchWait, 0)
	l := &Log{store: store, log: log, now: time.Now, in: make(chan db.AuditEntry, queueLen), flushes: make(chan chan struct{}),
		done: make(chan struct{}), opts: o}
	l.append() // sign the head of an existing log before anything new
	go l.run() // the one writer; ends when Close closes the queue
	return l
}

// Head is the newest head written (and signed, when anchored).
func (l *Log) Head() db.AuditHead {
	l.headMu.Lock()
	defer l.headMu.Unlock()
	return l.head
}

// Anchor returns h signed with the log's key (unsigned when it has none):
// what a backup of a store whose head is h carries.
func (l *Log) Anchor(h db.AuditHead) Anchor {
	if l.opts.Key == nil {
		return Anchor{AuditHead: h}
	}
	return Sign(l.opts.Key, h)
}

// append writes entries and then the signed head.
func (l *Log) append(entries ...db.AuditEntry) error {
	l.headMu.Lock()
	defer l.headMu.Unlock()
	if err := l.store.AppendAudit(entries...); err != nil {
		return err
	}
	h, err := l.store.AuditHead()
	if err != nil {
		return err
	}
	l.head = h
	if l.opts.Key == nil {
		return nil
	}
	if err := WriteAnchor(l.opts.HeadPath, Sign(l.opts.Key, h)); err != nil {
		l.log.Error("audit head not signed; ct audit verify will report the log as truncated", "path", l.opts.HeadPath, "error", err)
	}
	return nil
}

// run is the one writer: it commits a batch when BatchWait has passed since
// its first entry, when it is full, when Flush asks, or when Close closes
// the queue.
func (l *Log) run() {
	defer close(l.done)
	// One timer for the writer's life, not one per entry: it runs only
	// while a batch waits for company.
	wait := time.NewTimer(time.Hour)
	wait.Stop()
	var batch []db.AuditEntry
	var flushed []chan struct{}
	for open := true; open; {
		select {
		case e, ok := <-l.in:
			if !ok {
				open = false
				break
			}
			batch = append(batch, e)
			if l.opts.BatchWait > 0 && len(batch) < maxBatch && mayWait(e) {
				if len(batch) == 1 {
					wait.Reset(l.opts.BatchWait)
				}
				continue
			}
		case f := <-l.flushes:
			flushed = append(flushed, f)
		case <-wait.C:
		}
		wait.Stop()
		open = l.commit(batch, open)
		batch = batch[:0]
		for _, f := range flushed {
			close(f)
		}
		flushed = flushed[:0]
	}
}

// commit stores batch and everything queued behind it, maxBatch entries a
// transaction; it reports whether the queue is still open.
func (l *Log) commit(batch []db.AuditEntry, open bool) bool {
	for {
		for open && len(batch) < maxBatch {
			e, ok, more := l.queued()
			if !more {
				break
			}
			if !ok {
				open = false
				break
			}
			batch = append(batch, e)
		}
		if len(batch) == 0 {
			return open
		}
		if err := l.append(batch...); err != nil {
			l.log.Error("audit log write failed", "entries", len(batch), "error", err)
		}
		if len(batch) < maxBatch {
			return open
		}
		batch = batch[:0]
	}
}

// queued takes the next queued entry without waiting (more is false when
// there is none; ok is false when the queue is closed).
func (l *Log) queued() (e db.AuditEntry, ok, more bool) {
	select {
	case e, ok = <-l.in:
		return e, ok, true
	default:
		return e, false, false
	}
}

// Flush returns once every entry added before it is stored: what a page or
// a backup reading the log calls first, so a batch still waiting
// (Options.BatchWait) is never missing from it.
func (l *Log) Flush() {
	f := make(chan struct{})
	select {
	case l.flushes <- f:
	case <-l.done:
		return // closed: everything was written
	}
	select {
	case <-f:
	case <-l.done:
	}
}

// Add queues an entry; if the queue is full it writes synchronously rather
// than drop an audit record.
func (l *Log) Add(e db.AuditEntry) {
	if e.Time.IsZero() {
		e.Time = l.now()
	}
	l.mu.RLock()
	defer l.mu.RUnlock()
	if l.closed {
		if err := l.append(e); err != nil {
			l.log.Error("audit log write failed after shutdown", "error", err)
		}
		return
	}
	select {
	case l.in <- e:
	default:
		if err := l.append(e); err != nil {
			l.log.Error("audit log write failed", "error", err)
		}
	}
}

// Record queues an entry by actor, now; addr is where the action came from
// ("" for the hub's own actions).
func (l *Log) Record(actor, action, subject, addr string) {
	l.Add(db.AuditEntry{Actor: actor, Action: action, Subject: subject, Addr: addr})
}

// Close flushes queued entries and stops the writer. Call it after
// everything that records has stopped and before the store closes.
func (l *Log) Close() {
	l.mu.Lock()
	if !l.closed {
		l.closed = true
		close(l.in)
	}
	l.mu.Unlock()
	<-l.done
}
