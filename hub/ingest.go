package hub

import (
	"fmt"
	"sync"
	"time"

	"github.com/ct-dev/ct/db"
	"github.com/ct-dev/ct/wire"
)

// ingestLimits keeps one account from filling the hub's disk: a session and
// a machine may store only so many bytes of output, and nothing is stored
// while the disk is below its free-space floor. Output past a limit is not
// refused on the wire (that would wedge the session's sequence or its
// end); it is stored as a pty.dropped record of its size, with the reason,
// so the log says exactly what is missing and the session goes on.
type ingestLimits struct {
	store                      *db.Store
	sessionQuota, machineQuota int64
	minFree                    int64
	dir                        string

	mu       sync.Mutex
	sessions map[string]int64 // session id -> output bytes stored or queued
	over     map[string]bool  // sessions past a quota: the rest is sizes only, no holes filled later
	machines map[string]int64 // machine -> output bytes stored or queued
	statAt   time.Time        // last free-space check
	free     int64            // free bytes then (-1: unknown)
}

// freeEvery bounds free-space checks: one statfs a second at most, however
// fast output arrives.
const freeEvery = time.Second

func newIngestLimits(store *db.Store, o Options) *ingestLimits {
	return &ingestLimits{store: store, sessionQuota: o.SessionQuota, machineQuota: o.MachineQuota, minFree: o.MinFreeDisk, dir: o.DataDir,
		sessions: map[string]int64{}, machines: map[string]int64{}, over: map[string]bool{}, free: -1}
}

// admit returns e, or for output past a limit a pty.dropped record of its
// size with the same seq, and the refusal to tell the wrap (nil: none).
func (l *ingestLimits) admit(node string, e wire.Envelope) (wire.Envelope, *wire.IngestRefused) {
	if e.Type != wire.TypePtyOutput || (l.sessionQuota <= 0 && l.machineQuota <= 0 && l.minFree <= 0) {
		return e, nil
	}
	n := int64(len(e.Data))
	l.mu.Lock()
	defer l.mu.Unlock()
	sess, mach := l.usage(e.SessionID, node)
	var why *wire.IngestRefused
	switch {
	case l.minFree > 0 && l.freeLocked() >= 0 && l.free < l.minFree:
		why = &wire.IngestRefused{Reason: "disk", Message: fmt.Sprintf("the hub's disk has less than %d MiB free; it keeps only the size of this session's output until space returns", l.minFree>>20)}
	case l.sessionQuota > 0 && (sess+n > l.sessionQuota || l.over[e.SessionID]):
		why = &wire.IngestRefused{Reason: "session-quota", Message: fmt.Sprintf("this session reached the hub's quota of %d MiB of stored output (ct serve --session-quota); the rest is counted, not kept", l.sessionQuota>>20)}
	case l.machineQuota > 0 && mach+n > l.machineQuota:
		why = &wire.IngestRefused{Reason: "machine-quota", Message: fmt.Sprintf("machine %s reached the hub's quota of %d MiB of stored output (ct serve --machine-quota); the rest is counted, not kept", node, l.machineQuota>>20)}
	}
	if why != nil && why.Reason != "disk" {
		l.over[e.SessionID] = true // space may return; a quota does not
	}
	if why == nil {
		l.sessions[e.SessionID] = sess + n
		l.machines[node] = mach + n
		return e, nil
	}
	d, _ := wire.New(wire.TypePtyDropped, wire.Dropped{Bytes: n, Frames: 1, Reason: why.Reason})
	d.Seq, d.SessionID, d.TS = e.Seq, e.SessionID, e.TS
	return d, why
}

// usage is what session sid and machine node have stored, read from the
// store the first time each is seen.
func (l *ingestLimits) usage(sid, node string) (sess, mach int64) {
	sess, ok := l.sessions[sid]
	if !ok {
		if ss, err := l.store.GetSession(sid); err == nil {
			sess = ss.OutputBytes
		}
	}
	mach, ok = l.machines[node]
	if !ok {
		if all, err := l.store.Sessions(); err == nil {
			for _, ss := range all {
				if ss.Node == node {
					mach += ss.OutputBytes
				}
			}
		}
	}
	return sess, mach
}

// freeLocked refreshes the free-space figure at most every freeEvery.
func (l *ingestLimits) freeLocked() int64 {
	if l.dir == "" {
		return -1
	}
	if time.Since(l.statAt) >= freeEvery {
		l.statAt = time.Now()
		l.free = freeBytes(l.dir)
	}
	return l.free
}

// DiskLow reports whether the store's disk is below the free-space floor,
// and the free bytes (for /healthz).
func (h *Hub) DiskLow() (bool, int64) {
	l := h.ingest
	if l.minFree <= 0 {
		return false, 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	free := l.freeLocked()
	return free >= 0 && free < l.minFree, free
}
