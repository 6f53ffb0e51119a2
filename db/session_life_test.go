package db

import (
	"errors"
	"testing"
	"time"

	"github.com/ct-dev/ct/wire"
)

// A live session can be neither archived nor forgotten; an offline one
// can; its wrap coming back live restores it; forgetting takes its log's
// size off the store's counters and leaves no record, log or share link.
func TestArchiveAndForgetSession(t *testing.T) {
	s := openStore(t, t.TempDir())
	ss := newSession(t, s, "lifelife")
	if _, err := s.AppendEvents([]wire.Envelope{output(ss.ID, 1, "hello"), output(ss.ID, 2, "world")}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SetArchived(ss.ID, true, "ann", time.Now()); !errors.Is(err, ErrNotEnded) {
		t.Fatalf("archive a live session: %v, want ErrNotEnded", err)
	}
	if _, err := s.ForgetSession(ss.ID); !errors.Is(err, ErrNotEnded) {
		t.Fatalf("forget a live session: %v, want ErrNotEnded", err)
	}
	if err := s.SetSessionStatus(ss.ID, StatusOffline); err != nil {
		t.Fatal(err)
	}
	if got, err := s.SetArchived(ss.ID, true, "ann", time.Now()); err != nil || !got.Archived || got.ArchivedBy != "ann" {
		t.Fatalf("archive offline = %+v, %v", got, err)
	}
	back := ss
	back.Status = StatusLive
	if got, err := s.UpsertSession(back); err != nil || got.Archived {
		t.Fatalf("a wrap back live leaves it archived: %+v, %v", got, err)
	}
	if err := s.SetSessionStatus(ss.ID, StatusOffline); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.CreateShare(ss.ID, "ann", time.Hour, time.Now()); err != nil {
		t.Fatal(err)
	}
	before, _ := s.Usage()
	if _, err := s.ForgetSession(ss.ID); err != nil {
		t.Fatal(err)
	}
	after, _ := s.Usage()
	if before.Events-after.Events != 2 || before.Bytes <= after.Bytes {
		t.Errorf("usage %+v -> %+v: forgetting two events must take them off", before, after)
	}
	if _, err := s.GetSession(ss.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("the record after forget: %v, want ErrNotFound", err)
	}
	if shares, _ := s.SessionShares(ss.ID); len(shares) != 0 {
		t.Errorf("share links after forget: %d", len(shares))
	}
}

// A share token opens until revoked or expired; a changed secret is bad.
func TestShareTokens(t *testing.T) {
	s := openStore(t, t.TempDir())
	ss := newSession(t, s, "sharesha")
	now := time.Now()
	sh, token, err := s.CreateShare(ss.ID, "ann", time.Hour, now)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := s.OpenShare(token, now); err != nil || got.Session != ss.ID {
		t.Fatalf("open = %+v, %v", got, err)
	}
	changed := token[:len(token)-1] + "A"
	if token[len(token)-1] == 'A' {
		changed = token[:len(token)-1] + "B"
	}
	if _, err := s.OpenShare(changed, now); !errors.Is(err, ErrBadShare) {
		t.Errorf("a changed secret: %v, want ErrBadShare", err)
	}
	if _, err := s.OpenShare(token, now.Add(2*time.Hour)); !errors.Is(err, ErrDeadShare) {
		t.Errorf("after expiry: %v, want ErrDeadShare", err)
	}
	if _, err := s.RevokeShare("another", sh.ID, "bob", now); !errors.Is(err, ErrNotFound) {
		t.Errorf("revoke through another session: %v, want ErrNotFound", err)
	}
	if _, err := s.RevokeShare(ss.ID, sh.ID, "bob", now); err != nil {
		t.Fatal(err)
	}
	if _, err := s.OpenShare(token, now); !errors.Is(err, ErrDeadShare) {
		t.Errorf("after revoke: %v, want ErrDeadShare", err)
	}
}
