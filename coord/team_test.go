package coord

import (
	"strconv"
	"testing"
	"time"
)

// next reads one event from sub, or fails if none is pending.
func next(t *testing.T, sub *Sub) Event {
	t.Helper()
	select {
	case e := <-sub.C:
		return e
	default:
		t.Fatal("no event pending")
	}
	return Event{}
}

// Reading a message tells its sender (a receipt event), once.
func TestReadPublishesReceiptToSender(t *testing.T) {
	s, _ := newSvc(t)
	m, err := s.Send("alice", Message{To: "bob", Body: "hi"})
	if err != nil {
		t.Fatal(err)
	}
	alice := s.Bus().SubscribeQuiet("alice", nil)
	carol := s.Bus().SubscribeQuiet("carol", nil)
	if _, err := s.Message(Viewer{Peer: "bob"}, m.ID, true); err != nil {
		t.Fatal(err)
	}
	e := next(t, alice)
	if e.Type != "receipt" || e.Message == nil || e.Message.Receipts["bob"].ReadAt.IsZero() {
		t.Fatalf("alice got %+v, want a receipt with bob's read time", e)
	}
	if len(carol.C) != 0 {
		t.Fatalf("carol, neither sender nor recipient, got %+v", <-carol.C)
	}
	if _, err := s.Message(Viewer{Peer: "bob"}, m.ID, true); err != nil {
		t.Fatal(err)
	}
	if len(alice.C) != 0 {
		t.Fatalf("a second read sent another receipt: %+v", <-alice.C)
	}
}

// Typing reaches only the recipient, lasts TypingWindow, is never replayed
// to long-polls, and ends when the message is sent.
func TestTypingLiveOnlyToRecipient(t *testing.T) {
	s, clock := newSvc(t)
	bob := s.Bus().SubscribeQuiet("bob", nil)
	carol := s.Bus().SubscribeQuiet("carol", nil)
	before := s.Bus().LatestEventID()
	if err := s.SetTyping("alice", "bob", ""); err != nil {
		t.Fatal(err)
	}
	if e := next(t, bob); e.Type != "typing" || e.Typing.From != "alice" {
		t.Fatalf("bob got %+v", e)
	}
	if len(carol.C) != 0 {
		t.Fatal("carol saw alice typing to bob")
	}
	if s.Bus().LatestEventID() != before {
		t.Fatal("a typing signal went into the long-poll log")
	}
	if got := s.TypingTo(Viewer{Peer: "bob"}); len(got) != 1 || got[0].From != "alice" {
		t.Fatalf("TypingTo(bob) = %+v", got)
	}
	if got := s.TypingTo(Viewer{Peer: "alice"}); len(got) != 0 {
		t.Fatalf("alice sees her own typing: %+v", got)
	}
	clock.Advance(TypingWindow)
	if got := s.TypingTo(Viewer{Peer: "bob"}); len(got) != 0 {
		t.Fatalf("typing outlived its window: %+v", got)
	}
	_ = s.SetTyping("alice", "bob", "")
	if _, err := s.Send("alice", Message{To: "bob", Body: "done"}); err != nil {
		t.Fatal(err)
	}
	if got := s.TypingTo(Viewer{Peer: "bob"}); len(got) != 0 {
		t.Fatalf("typing outlived the sent message: %+v", got)
	}
	kindIs(t, s.SetTyping("alice", "", ""), Invalid)
	kindIs(t, s.SetTyping("alice", "no such/peer/x", ""), Invalid)
}

// The typing table stays bounded under a flood of recipients.
func TestTypingTableBounded(t *testing.T) {
	s, _ := newSvc(t)
	for i := range maxTyping + 50 {
		if err := s.SetTyping("alice", "p"+strconv.Itoa(i), ""); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(s.typing.at); n > maxTyping {
		t.Fatalf("%d entries, want at most %d", n, maxTyping)
	}
}

// Traffic counts the day's messages by sender and recipient, busiest
// first, only among those the viewer may see.
func TestTrafficCountsVisibleRecentMessages(t *testing.T) {
	s, clock := newSvc(t)
	send := func(from, to string) {
		t.Helper()
		if _, err := s.Send(from, Message{To: to, Body: "x"}); err != nil {
			t.Fatal(err)
		}
	}
	send("carol", "bob") // older than the day asked for
	clock.Advance(25 * time.Hour)
	send("alice", "bob")
	send("alice", "bob")
	send("bob", "alice")
	send("carol", "bob")
	since := clock.Now().Add(-24 * time.Hour)
	got, err := s.Traffic(Viewer{Peer: "alice"}, since)
	if err != nil {
		t.Fatal(err)
	}
	want := []Edge{{"alice", "bob", 2}, {"bob", "alice", 1}}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("alice's traffic %+v, want %+v", got, want)
	}
	all, _ := s.Traffic(Viewer{Admin: true}, since)
	if len(all) != 3 || all[2] != (Edge{"carol", "bob", 1}) {
		t.Fatalf("admin's traffic %+v", all)
	}
}
