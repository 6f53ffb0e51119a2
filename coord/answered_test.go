package coord

import "testing"

// A recipient's reply to a message that needs an answer settles it (their
// receipt is acknowledged); the sender's own follow-up and a reply from
// someone it was not addressed to do not.
func TestReplySettlesNeedsAnswer(t *testing.T) {
	s, _ := newSvc(t)
	q, err := s.Send("alice", Message{To: "bob", Subject: "ship it?", RequiresResponse: true})
	if err != nil {
		t.Fatal(err)
	}
	acked := func() bool {
		m, err := s.Message(Viewer{Peer: "alice"}, q.ID, false)
		if err != nil {
			t.Fatal(err)
		}
		return !m.Receipts["bob"].AckedAt.IsZero()
	}
	if _, err := s.Send("alice", Message{To: "bob", Re: q.ID, Body: "well?"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Send("carol", Message{To: "alice", Re: q.ID, Body: "not mine to answer"}); err != nil {
		t.Fatal(err)
	}
	if acked() {
		t.Fatal("the sender's follow-up or a bystander's reply settled the question")
	}
	if _, err := s.Send("bob", Message{To: "alice", Re: q.ID, Body: "yes"}); err != nil {
		t.Fatal(err)
	}
	if !acked() {
		t.Fatal("bob replied, yet the question still needs an answer")
	}
}
