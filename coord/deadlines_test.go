package coord

import (
	"testing"
	"time"
)

// recorded is a Recorder that keeps what it hears.
type recorded []string

func (r *recorded) Record(actor, action, subject, _ string) {
	*r = append(*r, actor+" "+action+" "+subject)
}

func TestMissedDeadlineEscalatesOnceToBothSides(t *testing.T) {
	s, clock := newSvc(t)
	deadline := t0.Add(time.Hour)
	q, err := s.Send("alice", Message{To: "bob", Priority: "P1", Subject: "schema?", RequiresResponse: true, Deadline: &deadline})
	if err != nil {
		t.Fatal(err)
	}
	inTime, _ := s.Send("alice", Message{To: "bob", Subject: "answered", RequiresResponse: true, Deadline: &deadline})
	if _, err := s.Send("bob", Message{To: "alice", Re: inTime.ID, Body: "done"}); err != nil {
		t.Fatal(err)
	}
	sub := s.Bus().Subscribe("alice", nil, false)
	defer s.Bus().Unsubscribe(sub)
	clock.Advance(59 * time.Minute)
	if esc, _ := s.EscalateDue(); len(esc) != 0 {
		t.Fatalf("escalated before the deadline: %+v", esc)
	}
	clock.Advance(2 * time.Minute)
	esc, err := s.EscalateDue()
	if err != nil || len(esc) != 1 || esc[0].ID != q.ID {
		t.Fatalf("escalated %+v %v; want only #%s (the other was answered)", esc, err, q.ID)
	}
	if again, _ := s.EscalateDue(); len(again) != 0 {
		t.Fatalf("escalated twice: %+v", again)
	}
	for _, peer := range []string{"alice", "bob"} {
		in, _ := s.Messages(Viewer{Peer: peer}, MessageFilter{Box: "inbox", Re: q.ID})
		var notice *Message
		for i := range in {
			if in[i].Source == "deadline:"+q.ID {
				notice = &in[i]
			}
		}
		if notice == nil || notice.From != HubSender || notice.Priority != "P0" || notice.To != peer {
			t.Fatalf("%s's deadline notice = %+v (inbox %+v)", peer, notice, in)
		}
		over, _ := s.Overdue(Viewer{Peer: peer})
		if len(over) != 1 || over[0].ID != q.ID {
			t.Fatalf("%s's overdue = %+v", peer, over)
		}
	}
	var pushed bool
	for !pushed {
		select {
		case e := <-sub.C:
			pushed = e.Message != nil && e.Message.Source == "deadline:"+q.ID
		default:
			t.Fatal("the sender's notice was not pushed on the bus")
		}
	}
	if _, err := s.Ack(Viewer{Peer: "bob"}, q.ID); err != nil {
		t.Fatal(err)
	}
	if over, _ := s.Overdue(Viewer{Peer: "alice"}); len(over) != 0 {
		t.Fatalf("still overdue after bob answered: %+v", over)
	}
}

// The loop writes every escalation and expiry to the audit recorder.
func TestTendRecordsEscalationAndExpiry(t *testing.T) {
	s, clock := newSvc(t)
	deadline := t0.Add(time.Minute)
	q, _ := s.Send("alice", Message{To: "bob", Subject: "q", RequiresResponse: true, Deadline: &deadline})
	clock.Advance(2 * time.Minute)
	var rec recorded
	var swept time.Time
	s.tend(&rec, &swept)
	if len(rec) != 1 || rec[0] != HubSender+" message.escalate "+q.ID+" alice -> bob: no answer by "+deadline.Format(time.RFC3339) {
		t.Fatalf("recorded %q", rec)
	}
	s.Ack(Viewer{Peer: "bob"}, q.ID)
	clock.Advance(DefaultMessageRetention + time.Minute)
	s.tend(&rec, &swept)
	if len(rec) < 2 || rec[len(rec)-1][:len(HubSender+" message.expire "+q.ID)] != HubSender+" message.expire "+q.ID {
		t.Fatalf("recorded %q", rec)
	}
}
