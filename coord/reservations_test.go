package coord

import (
	"strings"
	"testing"
	"time"
)

func TestMatchGlob(t *testing.T) {
	for _, c := range []struct {
		g, p string
		want bool
	}{
		{"db/**", "db/schema.sql", true}, {"db/**", "db/a/b/c.go", true}, {"db", "db/x.go", true},
		{"*.sql", "schema.sql", true}, {"*.sql", "db/schema.sql", false}, {"**/*.sql", "db/a/schema.sql", true},
		{"**/*.sql", "schema.sql", true}, {"api/*.go", "api/x.go", true}, {"api/*.go", "apix/x.go", false},
		{"docs/api.md", "docs/api.md", true}, {"docs/api.md", "docs/api.mdx", false},
	} {
		if got := MatchGlob(c.g, c.p); got != c.want {
			t.Errorf("MatchGlob(%q, %q) = %v, want %v", c.g, c.p, got, c.want)
		}
	}
}

// A reservation blocks an overlapping one by another peer (naming who and
// why), covers the holder's own commits, and ends on release or expiry.
func TestReservationsConflictReleaseExpire(t *testing.T) {
	s, clock := newSvc(t)
	r, err := s.Reserve("alice", "github.com/o/r", []string{"db/**"}, time.Minute, "migrating the schema")
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.Reserve("bob", "github.com/o/r", []string{"db/schema.sql"}, 0, "")
	kindIs(t, err, Conflict)
	if !strings.Contains(err.Error(), "alice") || !strings.Contains(err.Error(), "migrating the schema") {
		t.Fatalf("conflict does not say who and why: %v", err)
	}
	if _, err := s.Reserve("bob", "github.com/o/other", []string{"db/**"}, 0, ""); err != nil {
		t.Fatalf("another repo is independent: %v", err)
	}
	c, err := s.CheckPaths("bob", "github.com/o/r", []string{"README.md", "db/schema.sql"})
	if err != nil || len(c) != 1 || c[0].Path != "db/schema.sql" || c[0].Reservation.Holder != "alice" {
		t.Fatalf("check = %+v, %v", c, err)
	}
	if c, _ := s.CheckPaths("alice", "github.com/o/r", []string{"db/schema.sql"}); len(c) != 0 {
		t.Fatalf("the holder's own paths are not conflicts: %+v", c)
	}
	kindIs(t, s.ReleaseReservation("bob", r.ID, false), Forbidden)
	if err := s.ReleaseReservation("alice", r.ID, false); err != nil {
		t.Fatal(err)
	}
	if c, _ := s.CheckPaths("bob", "github.com/o/r", []string{"db/schema.sql"}); len(c) != 0 {
		t.Fatalf("released, still conflicts: %+v", c)
	}
	if _, err := s.Reserve("carol", "github.com/o/r", []string{"api/*.go"}, time.Minute, ""); err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Minute)
	if list, _ := s.Reservations("github.com/o/r"); len(list) != 0 {
		t.Fatalf("expired reservation still listed: %+v", list)
	}
}

func TestReservationInputLimits(t *testing.T) {
	s, _ := newSvc(t)
	for _, c := range []struct {
		repo  string
		globs []string
		ttl   time.Duration
	}{
		{"", []string{"a"}, 0}, {strings.Repeat("r", MaxRepoLen+1), []string{"a"}, 0}, {"r", nil, 0},
		{"r", make([]string, MaxGlobs+1), 0}, {"r", []string{"/abs"}, 0}, {"r", []string{"a["}, 0},
		{"r", []string{"a"}, 48 * time.Hour},
	} {
		_, err := s.Reserve("alice", c.repo, c.globs, c.ttl, "")
		kindIs(t, err, Invalid)
	}
	_, err := s.CheckPaths("alice", "r", make([]string, MaxCheckPaths+1))
	kindIs(t, err, TooLarge)
	kindIs(t, s.ReleaseReservation("alice", "x1", false), Invalid)
}

// State keys keep a bounded history, newest first, and push each change.
func TestStateSetGetHistoryAndPush(t *testing.T) {
	s, _ := newSvc(t)
	sub := s.Bus().Subscribe("", nil, false)
	defer s.Bus().Unsubscribe(sub)
	if k, err := s.GetState("build", false); err != nil || k.Version != 0 || k.Key != "build" {
		t.Fatalf("a key never set = %+v, %v; want version 0", k, err)
	}
	for i := range StateHistoryLen + 5 {
		if _, err := s.SetState("alice", "build", strings.Repeat("x", i)); err != nil {
			t.Fatal(err)
		}
	}
	k, err := s.GetState("build", true)
	if err != nil || k.Version != StateHistoryLen+5 || len(k.History) != StateHistoryLen-1 || k.History[0].Version != k.Version-1 {
		t.Fatalf("state = v%d with %d history, %v", k.Version, len(k.History), err)
	}
	if k, _ := s.GetState("build", false); k.History != nil {
		t.Fatal("history returned without asking")
	}
	e := <-sub.C
	if e.Type != "state" || e.State == nil || e.State.Key != "build" || e.State.Version != 1 {
		t.Fatalf("first event %+v", e)
	}
	_, err = s.SetState("alice", "build", strings.Repeat("x", MaxStateValue+1))
	kindIs(t, err, TooLarge)
	_, err = s.SetState("alice", "bad key", "v")
	kindIs(t, err, Invalid)
}
