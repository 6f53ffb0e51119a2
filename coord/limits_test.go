package coord

import (
	"strings"
	"testing"
	"time"
)

// Flood by reminder: "@every 1s" (or a cron schedule more often than the
// hub's floor) is refused with the allowed interval named.
func TestReminderMinimumInterval(t *testing.T) {
	s, _ := newSvc(t)
	for _, spec := range []string{"@every 1s", "@every 59s"} {
		_, err := s.AddReminder("alice", Reminder{To: "bob", Body: "flood", Cron: spec})
		kindIs(t, err, Invalid)
		if !strings.Contains(err.Error(), "at most every 1m0s") {
			t.Errorf("%s: %v, want the allowed interval named", spec, err)
		}
	}
	for _, spec := range []string{"@every 1m", "* * * * *", "0 9 * * 1-5"} {
		if _, err := s.AddReminder("alice", Reminder{To: "bob", Body: "ok", Cron: spec}); err != nil {
			t.Errorf("%s: %v", spec, err)
		}
	}
	strict := NewLimited(s.store, s.clock, nil, Limits{MinReminderInterval: 5 * time.Minute})
	_, err := strict.AddReminder("alice", Reminder{To: "bob", Body: "x", Cron: "*/2 * * * *"})
	kindIs(t, err, Invalid)
}

// Flood by message: a peer gets its burst at once, then one per second at
// 60 a minute; the refusal says when to retry. Other peers are unaffected.
func TestMessageRate(t *testing.T) {
	s, clock := newSvc(t)
	for i := range DefaultMessageBurst {
		if _, err := s.Send("alice", Message{To: "bob", Body: "x"}); err != nil {
			t.Fatalf("message %d of the burst: %v", i+1, err)
		}
	}
	_, err := s.Send("alice", Message{To: "bob", Body: "one too many"})
	kindIs(t, err, TooMany)
	if e := err.(*Error); e.RetryAfter != time.Second {
		t.Errorf("RetryAfter = %s, want 1s", e.RetryAfter)
	}
	if _, err := s.Send("carol", Message{To: "bob", Body: "mine"}); err != nil {
		t.Errorf("another peer: %v", err)
	}
	clock.Advance(time.Second)
	if _, err := s.Send("alice", Message{To: "bob", Body: "after a second"}); err != nil {
		t.Errorf("after waiting: %v", err)
	}
	kindIs(t, func() error { _, err := s.Send("alice", Message{To: "bob", Body: "again"}); return err }(), TooMany)
}
