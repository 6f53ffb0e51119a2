package coord

import (
	"strings"
	"testing"
	"time"
)

func TestLockLeaseRenewExpireBreak(t *testing.T) {
	s, clock := newSvc(t)
	l, err := s.Acquire("carol", "deploy", 10*time.Minute, "migrating")
	if err != nil || l.Holder != "carol" {
		t.Fatalf("acquire: %+v %v", l, err)
	}
	_, err = s.Acquire("bob", "deploy", time.Minute, "")
	kindIs(t, err, Conflict)
	if !strings.Contains(err.Error(), "carol") || !strings.Contains(err.Error(), "2026-03-02T08:10:00Z") || !strings.Contains(err.Error(), "migrating") {
		t.Fatalf("conflict does not name holder and time: %v", err)
	}
	clock.Advance(5 * time.Minute)
	if l, err = s.Acquire("carol", "deploy", 10*time.Minute, ""); err != nil || !l.Until.Equal(t0.Add(15*time.Minute)) || l.Reason != "migrating" {
		t.Fatalf("renew: %+v %v", l, err)
	}
	kindIs(t, s.Release("bob", "deploy", false), Forbidden)
	clock.Advance(15 * time.Minute)
	if locks, _ := s.Locks(); len(locks) != 0 {
		t.Fatalf("expired lock listed: %+v", locks)
	}
	if _, err := s.Acquire("bob", "deploy", time.Minute, ""); err != nil {
		t.Fatalf("after expiry: %v", err)
	}
	if err := s.Release("alice", "deploy", true); err != nil {
		t.Fatalf("admin break: %v", err)
	}
	kindIs(t, s.Release("bob", "deploy", false), NotFound)
	_, err = s.Acquire("bob", "x", 48*time.Hour, "")
	kindIs(t, err, Invalid)
	for _, bad := range []string{"", "a b", "/abs", strings.Repeat("x", 201)} {
		_, err = s.Acquire("bob", bad, time.Minute, "")
		kindIs(t, err, Invalid)
	}
	if _, err := s.Acquire("bob", "repo/db/schema", time.Minute, ""); err != nil {
		t.Fatalf("a path-like lock name: %v", err)
	}
}

func TestTodos(t *testing.T) {
	s, _ := newSvc(t)
	td, err := s.AddTodo("alice", Todo{Title: "write docs", Assignee: "bob"})
	if err != nil || td.State != TodoOpen || td.CreatedBy != "alice" {
		t.Fatalf("%+v %v", td, err)
	}
	doing := TodoDoing
	s.UpdateTodo("bob", td.ID, TodoUpdate{State: &doing})
	done := TodoDone
	td, _ = s.UpdateTodo("bob", td.ID, TodoUpdate{State: &done})
	if td.DoneBy != "bob" {
		t.Fatalf("done by %q", td.DoneBy)
	}
	bad := "later"
	_, err = s.UpdateTodo("bob", td.ID, TodoUpdate{State: &bad})
	kindIs(t, err, Invalid)
	if l, _ := s.Todos(Viewer{}, TodoScopeAll, TodoDone); len(l) != 1 {
		t.Fatalf("done todos = %+v", l)
	}
	_, err = s.AddTodo("alice", Todo{Title: ""})
	kindIs(t, err, Invalid)
}

func TestPeerNamesUnique(t *testing.T) {
	s, _ := newSvc(t)
	_, err := s.Identify("u-mallory", "alice", KindHuman)
	kindIs(t, err, Conflict)
	st := "reviewing PR 12"
	p, err := s.UpdatePeer("alice", PeerUpdate{Status: &st})
	if err != nil || p.Status != st || !p.Online {
		t.Fatalf("%+v %v", p, err)
	}
}

func TestBusEvictsSlowSubscriber(t *testing.T) {
	b := NewBus()
	slow := b.Subscribe("bob", nil, false)
	fast := b.Subscribe("alice", nil, false)
	for i := 0; i < subBuffer+1; i++ {
		b.Publish(Event{Type: "message", Message: &Message{To: "*"}})
		for {
			e, ok := <-fast.C
			if !ok {
				t.Fatalf("reading subscriber evicted at event %d", i)
			}
			if e.Message != nil {
				break
			}
		}
	}
	n := 0
	for range slow.C { // closed once evicted
		n++
	}
	if n != subBuffer {
		t.Fatalf("slow subscriber got %d before eviction, want %d", n, subBuffer)
	}
	if b.Online("bob") {
		t.Fatal("evicted subscriber still online")
	}
	if !b.Online("alice") {
		t.Fatal("reading subscriber went offline")
	}
	b.Unsubscribe(fast)
	b.Unsubscribe(fast) // closing twice must be safe
}

func TestBusPresenceNotices(t *testing.T) {
	b := NewBus()
	watcher := b.Subscribe("carol", nil, false)
	if e := <-watcher.C; e.Notice != "carol is online" {
		t.Fatalf("first event %+v", e)
	}
	bob := b.Subscribe("bob", nil, false)
	bob2 := b.Subscribe("bob", nil, false) // a second stream of the same peer: no second notice
	b.Unsubscribe(bob)                     // still online through bob2: no notice
	b.Unsubscribe(bob2)
	var notices []string
	for len(notices) < 2 {
		notices = append(notices, (<-watcher.C).Notice)
	}
	if notices[0] != "bob is online" || notices[1] != "bob left" {
		t.Fatalf("notices = %q", notices)
	}
	select {
	case e := <-watcher.C:
		t.Fatalf("an extra notice: %+v", e)
	default:
	}
}
