package coord

import (
	"strings"
	"testing"
)

func TestMessageQuestionAndAnswerThread(t *testing.T) {
	s, _ := newSvc(t)
	q, err := s.Send("alice", Message{To: "bob", Type: "question", Priority: "p1", Subject: "schema?", Body: "which version?", RequiresResponse: true,
		Context: &MsgContext{File: "db/db.go", Line: 12}, Artifacts: []string{"docs/api.md"}})
	if err != nil {
		t.Fatal(err)
	}
	if q.ID == "" || q.From != "alice" || q.Priority != "P1" || q.TS.IsZero() {
		t.Fatalf("stored message = %+v", q)
	}
	bob := Viewer{Peer: "bob"}
	unread, _ := s.Messages(bob, MessageFilter{Unread: true})
	if len(unread) != 1 || unread[0].ID != q.ID || unread[0].Context.Line != 12 {
		t.Fatalf("bob's unread = %+v", unread)
	}
	if _, err := s.Message(bob, q.ID, true); err != nil {
		t.Fatal(err)
	}
	if unread, _ := s.Messages(bob, MessageFilter{Unread: true}); len(unread) != 0 {
		t.Fatalf("still unread after reading: %+v", unread)
	}
	a, err := s.Send("bob", Message{To: "alice", Re: q.ID, Body: "version 2"})
	if err != nil {
		t.Fatal(err)
	}
	thread, _ := s.Messages(Viewer{Peer: "alice"}, MessageFilter{Box: "all", Re: q.ID})
	if len(thread) != 2 || thread[0].ID != q.ID || thread[1].ID != a.ID {
		t.Fatalf("thread = %+v", thread)
	}
	if _, err := s.Ack(Viewer{Peer: "carol"}, q.ID); KindOf(err) != NotFound {
		t.Fatalf("carol acked a message she cannot see: %v", err)
	}
	m, err := s.Ack(bob, q.ID)
	if err != nil || m.Receipts["bob"].AckedAt.IsZero() {
		t.Fatalf("ack: %+v %v", m.Receipts, err)
	}
	if _, err := s.Send("bob", Message{To: "alice", Re: "999", Body: "x"}); KindOf(err) != NotFound {
		t.Fatalf("reply to a missing message: %v", err)
	}
}

func TestMessageGroupsBroadcastAndSearch(t *testing.T) {
	s, _ := newSvc(t)
	g := []string{"frontend"}
	if _, err := s.UpdatePeer("carol", PeerUpdate{Groups: &g}); err != nil {
		t.Fatal(err)
	}
	s.Send("alice", Message{To: "@frontend", Subject: "css build broken"})
	s.Send("alice", Message{To: "*", Subject: "deploy at noon", Type: "deploy-ready"})
	carol, _ := s.Messages(Viewer{Peer: "carol", Groups: g}, MessageFilter{})
	bob, _ := s.Messages(Viewer{Peer: "bob"}, MessageFilter{})
	if len(carol) != 2 || len(bob) != 1 {
		t.Fatalf("carol sees %d, bob sees %d; want 2 and 1", len(carol), len(bob))
	}
	found, _ := s.Messages(Viewer{Peer: "carol", Groups: g}, MessageFilter{Query: "CSS"})
	if len(found) != 1 || found[0].To != "@frontend" {
		t.Fatalf("search = %+v", found)
	}
	sent, _ := s.Messages(Viewer{Peer: "alice"}, MessageFilter{Box: "sent"})
	if len(sent) != 2 {
		t.Fatalf("alice sent %d", len(sent))
	}
}

func TestMessageLimitsAndSecrets(t *testing.T) {
	s, _ := newSvc(t)
	_, err := s.Send("alice", Message{To: "bob", Body: strings.Repeat("x", MaxBody+1)})
	kindIs(t, err, TooLarge)
	if !strings.Contains(err.Error(), "100 KB") {
		t.Fatalf("unclear error: %v", err)
	}
	if _, err := s.Send("alice", Message{To: "bob", Body: strings.Repeat("x", MaxBody)}); err != nil {
		t.Fatalf("exactly 100 KB refused: %v", err)
	}
	secrets := map[string]string{
		"ct token":    "use cta_0123456789abcdef_" + strings.Repeat("Z", 43),
		"aws":         "key AKIAIOSFODNN7EXAMPLE ok",
		"private key": "-----BEGIN OPENSSH PRIVATE KEY-----\nabc",
		"github":      "ghp_" + strings.Repeat("a", 36),
		"slack":       "xoxb-1234567890-abcdefghij",
		"openai":      "sk-proj-" + strings.Repeat("a", 40),
	}
	for name, body := range secrets {
		_, err := s.Send("alice", Message{To: "bob", Body: body})
		kindIs(t, err, Invalid)
		if !strings.Contains(err.Error(), "credentials") {
			t.Errorf("%s: unclear error %v", name, err)
		}
	}
	for _, bad := range []Message{{To: "", Body: "x"}, {To: "bob"}, {To: "bob", Body: "x", Priority: "P9"}, {To: "bob", Body: "x", Type: "gossip"}} {
		if _, err := s.Send("alice", bad); KindOf(err) != Invalid {
			t.Errorf("%+v: %v", bad, err)
		}
	}
	if _, err := s.Send("alice", Message{To: "nobody", Body: "x"}); KindOf(err) != NotFound {
		t.Errorf("unknown recipient: %v", err)
	}
	if got, _ := s.Messages(Viewer{Peer: "bob"}, MessageFilter{}); len(got) != 1 {
		t.Fatalf("refused messages were stored: %d messages", len(got))
	}
}

func TestMessagesAfterPagesForward(t *testing.T) {
	s, _ := newSvc(t)
	for i := 0; i < 5; i++ {
		s.Send("alice", Message{To: "bob", Body: "x"})
	}
	bob := Viewer{Peer: "bob"}
	var ids []string
	after := "0"
	for {
		page, err := s.Messages(bob, MessageFilter{After: after, Limit: 2})
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			break
		}
		for _, m := range page {
			ids = append(ids, m.ID)
		}
		after = page[len(page)-1].ID
	}
	if strings.Join(ids, ",") != "1,2,3,4,5" {
		t.Fatalf("paged ids = %v", ids)
	}
	newest, _ := s.Messages(bob, MessageFilter{Limit: 2})
	if len(newest) != 2 || newest[0].ID != "4" || newest[1].ID != "5" {
		t.Fatalf("newest two = %+v", newest)
	}
}

func TestMessageBoxes(t *testing.T) {
	s, _ := newSvc(t)
	s.Send("alice", Message{To: "bob", Body: "private"})
	s.Send("bob", Message{To: "alice", Body: "reply"})
	admin := Viewer{Peer: "carol", Admin: true}
	if got, _ := s.Messages(admin, MessageFilter{Box: "all"}); len(got) != 0 {
		t.Fatalf("an admin's own box shows others' messages: %+v", got)
	}
	if got, _ := s.Messages(admin, MessageFilter{Box: "hub"}); len(got) != 2 {
		t.Fatalf("an admin's hub view: %d messages, want 2", len(got))
	}
	if got, _ := s.Messages(Viewer{Peer: "carol"}, MessageFilter{Box: "hub"}); len(got) != 0 {
		t.Fatalf("a non-admin's hub view shows others' messages: %+v", got)
	}
	if got, _ := s.Messages(Viewer{Peer: "alice"}, MessageFilter{Box: "all"}); len(got) != 2 {
		t.Fatalf("alice's sent and received: %d, want 2", len(got))
	}
	if got, _ := s.Messages(Viewer{Peer: "alice"}, MessageFilter{Box: "nonsense"}); len(got) != 0 {
		t.Fatalf("an unknown box: %+v", got)
	}
}
