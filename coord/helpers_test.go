package coord

import (
	"testing"
	"time"

	"github.com/ct-dev/ct/db"
)

var t0 = time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC) // a Monday

// open opens a real store in dir and a service on clock.
func open(t *testing.T, dir string, clock Clock) (*Service, *db.Store) {
	t.Helper()
	st, err := db.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	return New(st, clock, nil), st
}

func newSvc(t *testing.T) (*Service, *FakeClock) {
	t.Helper()
	clock := NewFakeClock(t0)
	s, st := open(t, t.TempDir(), clock)
	t.Cleanup(func() { st.Close() })
	for _, p := range []string{"alice", "bob", "carol"} {
		if _, err := s.Identify("u-"+p, p, KindAI); err != nil {
			t.Fatal(err)
		}
	}
	return s, clock
}

func kindIs(t *testing.T, err error, k Kind) {
	t.Helper()
	if KindOf(err) != k {
		t.Fatalf("error kind %d, want %d: %v", KindOf(err), k, err)
	}
}
