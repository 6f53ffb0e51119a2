package hub

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ct-dev/ct/db"
	"github.com/ct-dev/ct/wire"
)

// faultyStore is the store with a switch: while failing, every append fails
// as a full disk does, and each failed attempt is reported.
type faultyStore struct {
	*db.Store
	mu      sync.Mutex
	failing bool
	fails   int
}

func (f *faultyStore) AppendEvents(es []wire.Envelope) (map[string]uint64, error) {
	f.mu.Lock()
	failing := f.failing
	if failing {
		f.fails++
	}
	f.mu.Unlock()
	if failing {
		return nil, fmt.Errorf("write ct.db: %w", syscall.ENOSPC)
	}
	return f.Store.AppendEvents(es)
}

func (f *faultyStore) set(failing bool) {
	f.mu.Lock()
	f.failing = failing
	f.mu.Unlock()
}

// fakeWrap plays a wrap's streaming side: every event stays until acked,
// and after a dropped connection it reconnects and resends from the ack.
type fakeWrap struct {
	th      *testHub
	sid     string
	events  []wire.Envelope // events[i] has seq i+1
	acked   uint64
	tr      *fakeTransport
	done    <-chan error
	failing []bool // store.failing notices received, in order
}

func (w *fakeWrap) connect(tb testing.TB) {
	w.tr, w.done, w.acked = w.th.connect(tb, w.sid)
	for _, e := range w.events[w.acked:] {
		w.tr.toHub <- e
	}
}

// add sends numbered lines from the next seq up to seq n.
func (w *fakeWrap) add(n int) {
	for seq := len(w.events) + 1; seq <= n; seq++ {
		e := output(uint64(seq), fmt.Sprintf("line %d\r\n", seq))
		w.events = append(w.events, e)
		w.tr.toHub <- e
	}
}

// until reads from the hub, reconnecting whenever the hub drops the
// connection, until stop says it is enough.
func (w *fakeWrap) until(tb testing.TB, what string, stop func() bool) {
	tb.Helper()
	deadline := time.After(waitLimit)
	for !stop() {
		select {
		case e := <-w.tr.fromHub:
			switch e.Type {
			case wire.TypeAck:
				w.acked = max(w.acked, e.Seq)
			case wire.TypeStoreFailing:
				var sf wire.StoreFailing
				if err := e.Decode(&sf); err != nil {
					tb.Fatal(err)
				}
				w.failing = append(w.failing, sf.Failing)
			}
		case <-w.done:
			w.tr.close()
			w.connect(tb)
		case <-deadline:
			tb.Fatalf("%s: never happened (acked %d of %d, notices %v)", what, w.acked, len(w.events), w.failing)
		}
	}
}

// TestStoreFailureLosesNothing: the disk fills while a wrap streams and
// its connection drops meanwhile (the case that wedged a session: resends
// dropped as duplicates, new events skipped as a gap). The hub says the
// store is failing, keeps what it received, and once writes work again the
// log holds every event once, in order.
func TestStoreFailureLosesNothing(t *testing.T) {
	var fs *faultyStore
	th := newTestHubOn(t, t.TempDir(), func(s *db.Store) appender { fs = &faultyStore{Store: s}; return fs })
	const sid = "sess-diskfull"
	w := &fakeWrap{th: th, sid: sid}
	w.connect(t)
	w.add(10)
	w.until(t, "first 10 acked", func() bool { return w.acked == 10 })

	fs.set(true)
	w.add(60)
	w.until(t, "store.failing notice", func() bool { return len(w.failing) > 0 })
	if !w.failing[0] {
		t.Fatalf("first notice says failing=%v", w.failing[0])
	}
	if h := th.StoreHealth(); h.Err == nil || !errors.Is(h.Err, syscall.ENOSPC) {
		t.Fatalf("store health while writes fail: %+v", h)
	}
	// The connection drops while the disk is full; the wrap reconnects and
	// resends everything not acked, then keeps writing.
	w.tr.close()
	<-w.done
	w.connect(t)
	w.add(80)
	fs.set(false)
	w.until(t, "all 80 acked", func() bool { return w.acked == 80 })

	want := ""
	for i := 1; i <= 80; i++ {
		want += fmt.Sprintf("line %d\r\n", i)
	}
	if got := th.logBytes(t, sid); got != want {
		t.Fatalf("store holds %d bytes, want %d:\n%s", len(got), len(want), got)
	}
	ss, err := th.store.GetSession(sid)
	if err != nil {
		t.Fatal(err)
	}
	if ss.LastSeq != 80 || ss.DroppedBytes != 0 || ss.OutputBytes != int64(len(want)) {
		t.Fatalf("session record: last seq %d, dropped %d, output %d", ss.LastSeq, ss.DroppedBytes, ss.OutputBytes)
	}
	if h := th.StoreHealth(); h.Err != nil || h.Failures == 0 {
		t.Fatalf("store health after recovery: %+v", h)
	}
	w.until(t, "a store-works-again notice", func() bool { return !w.failing[len(w.failing)-1] })
	finish(t, w.tr, w.done)
}

// A hub that cannot store what it received before shutdown says so:
// Close returns an error (ct serve exits non-zero), never nil.
func TestCloseReportsUnstoredEvents(t *testing.T) {
	store, err := db.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	fs := &faultyStore{Store: store}
	h, err := newHub(store, fs, slog.New(slog.NewTextHandler(io.Discard, nil)), Options{})
	if err != nil {
		t.Fatal(err)
	}
	th := &testHub{Hub: h, store: store, rec: &recorder{screens: make(chan ScreenUpdate, 1000)}}
	w := &fakeWrap{th: th, sid: "sess-lost-at-exit"}
	w.connect(t)
	fs.set(true)
	w.add(5)
	w.until(t, "store.failing notice", func() bool { return len(w.failing) > 0 })
	w.tr.close()
	<-w.done
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	err = h.Close(ctx)
	if err == nil || !strings.Contains(err.Error(), "5 received events were not stored") {
		t.Fatalf("Close with unstored events returned %v", err)
	}
}
