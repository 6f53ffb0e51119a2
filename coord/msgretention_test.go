package coord

import (
	"testing"
	"time"
)

func TestSettledMessagesExpireAfterRetention(t *testing.T) {
	s, clock := newSvc(t)
	bob := Viewer{Peer: "bob"}
	read, _ := s.Send("alice", Message{To: "bob", Body: "fyi"})
	unread, _ := s.Send("alice", Message{To: "bob", Body: "not yet read"})
	q, _ := s.Send("alice", Message{To: "bob", Body: "answer me", RequiresResponse: true})
	own, _ := s.Send("alice", Message{To: "*", Body: "broadcast only its sender read"})
	s.Message(bob, read.ID, true)
	s.Message(bob, q.ID, true) // read, not answered: kept
	s.Message(Viewer{Peer: "alice"}, own.ID, true)
	clock.Advance(DefaultMessageRetention - time.Second)
	if gone, _ := s.ExpireMessages(); len(gone) != 0 {
		t.Fatalf("expired before the retention: %+v", gone)
	}
	clock.Advance(time.Second)
	gone, err := s.ExpireMessages()
	if err != nil || len(gone) != 1 || gone[0].ID != read.ID {
		t.Fatalf("expired %+v %v; want only #%s", gone, err, read.ID)
	}
	if _, err := s.Message(bob, read.ID, false); KindOf(err) != NotFound {
		t.Fatalf("an expired message is still there: %v", err)
	}
	left, _ := s.Messages(Viewer{Peer: "bob"}, MessageFilter{Box: "all"})
	if len(left) != 3 {
		t.Fatalf("kept %d messages, want the unread, the unanswered and the broadcast: %+v", len(left), left)
	}
	s.Ack(bob, q.ID)
	clock.Advance(DefaultMessageRetention)
	if gone, _ := s.ExpireMessages(); len(gone) != 1 || gone[0].ID != q.ID {
		t.Fatalf("the answered question did not expire a retention after its answer: %+v", gone)
	}
	if _, err := s.Message(bob, unread.ID, false); err != nil {
		t.Fatalf("a never-read message was removed: %v", err)
	}
}

func TestMessageRetentionIsConfigurable(t *testing.T) {
	clock := NewFakeClock(t0)
	_, st := open(t, t.TempDir(), clock)
	defer st.Close()
	s := NewLimited(st, clock, nil, Limits{MessageRetention: time.Hour})
	s.Identify("u-a", "alice", KindAI)
	s.Identify("u-b", "bob", KindAI)
	m, _ := s.Send("alice", Message{To: "bob", Body: "x"})
	s.Message(Viewer{Peer: "bob"}, m.ID, true)
	clock.Advance(time.Hour)
	if gone, _ := s.ExpireMessages(); len(gone) != 1 {
		t.Fatalf("a 1h retention kept a message read an hour ago: %+v", gone)
	}
}
