package coord

import (
	"context"
	"strings"
	"testing"
	"time"
)

// privateSvc has two users: alice (a person and her agent alice/agent)
// and bob (a person and his agent bob/agent).
func privateSvc(t *testing.T) *Service {
	t.Helper()
	s, _ := newSvc(t)
	for _, p := range [][2]string{{"alice", "alice/agent"}, {"bob", "bob/agent"}} {
		if _, err := s.Identify(p[0], p[0], KindHuman); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Identify(p[0], p[1], KindAI); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

func viewerOf(user, peer string, admin bool) Viewer {
	return Viewer{Peer: peer, Owner: user, Admin: admin}
}

func TestPrivateMessageOnlyOwnerAndAgents(t *testing.T) {
	s := privateSvc(t)
	m, err := s.Send("alice/agent", Message{To: "me", Subject: "secret plan", Body: "the combination is 1234"})
	if err != nil {
		t.Fatal(err)
	}
	if m.Private != "alice" || m.To != "private:alice" {
		t.Fatalf("private = %q, to = %q; want alice's space", m.Private, m.To)
	}
	for _, v := range []Viewer{viewerOf("alice", "alice", false), viewerOf("alice", "alice/agent", false)} {
		list, _ := s.Messages(v, MessageFilter{Box: "private", Query: "combination"})
		if len(list) != 1 {
			t.Fatalf("%s lists %d private messages, want 1", v.Peer, len(list))
		}
		if in, _ := s.Messages(v, MessageFilter{Box: "inbox"}); len(in) != 0 {
			t.Fatalf("%s's inbox (what connectors and bridges relay) holds %d private notes", v.Peer, len(in))
		}
		if all, _ := s.Messages(v, MessageFilter{Box: "all", Query: "combination"}); len(all) != 1 {
			t.Fatalf("%s's search of all misses the private note", v.Peer)
		}
		if _, err := s.Message(v, m.ID, true); err != nil {
			t.Fatalf("%s reads it: %v", v.Peer, err)
		}
	}
	// bob, bob's agent and an admin (who sees every shared message) do not.
	for _, v := range []Viewer{viewerOf("bob", "bob", false), viewerOf("bob", "bob/agent", false), viewerOf("root", "root", true)} {
		for _, box := range []string{"inbox", "all", "hub", "private"} {
			if list, _ := s.Messages(v, MessageFilter{Box: box, Query: "combination"}); len(list) != 0 {
				t.Fatalf("%s sees %d private messages in box %s", v.Peer, len(list), box)
			}
		}
		if _, err := s.Message(v, m.ID, false); KindOf(err) != NotFound {
			t.Fatalf("%s reads it: %v", v.Peer, err)
		}
		if _, err := s.Ack(v, m.ID); KindOf(err) != NotFound {
			t.Fatalf("%s acks it: %v", v.Peer, err)
		}
	}
	if _, err := s.Send("bob", Message{To: "bob", Re: m.ID, Body: "reply to a private note"}); KindOf(err) != NotFound {
		t.Fatalf("bob answers alice's private message: %v", err)
	}
	if got := AuditLine(m); strings.Contains(got, "secret") {
		t.Fatalf("audit line %q tells a private subject", got)
	}
}

func TestPrivateAddressRules(t *testing.T) {
	s := privateSvc(t)
	if _, err := s.Send("bob", Message{To: "private:alice", Body: "x"}); KindOf(err) != NotFound {
		t.Fatalf("bob writes into alice's space: %v", err)
	}
	if m, err := s.Send("alice", Message{To: "private:alice", Body: "x"}); err != nil || m.Private != "alice" {
		t.Fatalf("alice writes into her own space by name: %+v, %v", m, err)
	}
	if m, err := s.Send("alice", Message{To: "bob", Body: "x", Private: "alice"}); err != nil || m.Private != "" {
		t.Fatalf("a sender's own private field must not hide a shared message: %+v, %v", m, err)
	}
	for _, name := range []string{"me", "ME", "private:bob"} {
		if _, err := s.Identify("bob", name, KindAI); KindOf(err) != Invalid {
			t.Fatalf("peer name %q taken: %v", name, err)
		}
	}
}

func TestPrivateEventsOnlyToOwner(t *testing.T) {
	s := privateSvc(t)
	b := s.Bus()
	aliceAgent := b.SubscribeAs(viewerOf("alice", "alice/agent", false), true)
	bob := b.SubscribeAs(viewerOf("bob", "bob", false), true)
	lobby := b.Subscribe("", nil, true) // sees every shared message
	since := b.LatestEventID()
	if _, err := s.Send("alice", Message{To: "me", Body: "private body"}); err != nil {
		t.Fatal(err)
	}
	td, err := s.AddTodo("alice", Todo{Title: "private todo", Private: "me"})
	if err != nil || td.Private != "alice" {
		t.Fatalf("add private todo: %+v, %v", td, err)
	}
	if _, err := s.AddTodo("alice", Todo{Title: "shared todo"}); err != nil {
		t.Fatal(err)
	}
	// The shared todo's event comes after both private ones: when bob
	// and the lobby get it first, they never got the private two.
	for _, sub := range []*Sub{bob, lobby} {
		if e := <-sub.C; e.Todo == nil || e.Todo.Title != "shared todo" {
			t.Fatalf("a stranger's first event is %+v, want the shared todo", e)
		}
	}
	for _, want := range []string{"message", "todo", "todo"} {
		if e := <-aliceAgent.C; e.Type != want {
			t.Fatalf("alice's agent got %s, want %s", e.Type, want)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	page := b.Wait(ctx, EventQuery{Viewer: viewerOf("bob", "bob/agent", false), Since: since})
	if len(page.Events) != 1 || page.Events[0].Todo.Title != "shared todo" {
		t.Fatalf("bob's agent's long-poll = %+v, want only the shared todo", page.Events)
	}
	page = b.Wait(ctx, EventQuery{Viewer: viewerOf("alice", "alice/agent", false), Since: since})
	if len(page.Events) != 3 {
		t.Fatalf("alice's agent's long-poll = %d events, want 3", len(page.Events))
	}
}

func TestPrivateTodos(t *testing.T) {
	s := privateSvc(t)
	mine, err := s.AddTodo("alice/agent", Todo{Title: "pay the invoice", Private: "me"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddTodo("bob", Todo{Title: "x", Private: "alice"}); KindOf(err) != NotFound {
		t.Fatalf("bob adds to alice's space: %v", err)
	}
	if _, err := s.AddTodo("bob", Todo{Title: "shared"}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		v     Viewer
		scope string
		want  int
	}{
		{viewerOf("alice", "alice", false), TodoScopeAll, 2},
		{viewerOf("alice", "alice", false), TodoScopePrivate, 1},
		{viewerOf("alice", "alice/agent", false), TodoScopeShared, 1},
		{viewerOf("bob", "bob/agent", false), TodoScopeAll, 1},
		{viewerOf("bob", "bob", false), TodoScopePrivate, 0},
		{viewerOf("root", "root", true), TodoScopeAll, 1},
	} {
		if l, _ := s.Todos(c.v, c.scope, ""); len(l) != c.want {
			t.Fatalf("%s (%q) lists %d todos, want %d", c.v.Peer, c.scope, len(l), c.want)
		}
	}
	done := TodoDone
	if _, err := s.UpdateTodo("bob/agent", mine.ID, TodoUpdate{State: &done}); KindOf(err) != NotFound {
		t.Fatalf("bob's agent finishes alice's private todo: %v", err)
	}
	if td, err := s.UpdateTodo("alice", mine.ID, TodoUpdate{State: &done}); err != nil || td.DoneBy != "alice" {
		t.Fatalf("alice finishes her agent's private todo: %+v, %v", td, err)
	}
	if got := TodoAuditLine(mine); strings.Contains(got, "invoice") {
		t.Fatalf("audit line %q tells a private title", got)
	}
}

// A reminder to "me" made by an agent fires into its owner's private
// space, seen by the owner's other peers and listed for nobody else.
func TestPrivateReminderFires(t *testing.T) {
	s, clock := newSvc(t)
	for _, p := range [][3]string{{"dana", "dana", KindHuman}, {"dana", "dana/agent", KindAI}, {"eve", "eve", KindHuman}} {
		if _, err := s.Identify(p[0], p[1], p[2]); err != nil {
			t.Fatal(err)
		}
	}
	at := t0.Add(time.Minute)
	r, err := s.AddReminder("dana/agent", Reminder{To: "me", Private: "eve", Body: "renew the cert", At: &at})
	if err != nil || r.To != "private:dana" || r.Private != "dana" {
		t.Fatalf("reminder to me = %+v, %v", r, err)
	}
	if list, _ := s.Reminders(viewerOf("eve", "eve", true)); len(list) != 0 {
		t.Fatalf("another user (an admin) lists a private reminder: %+v", list)
	}
	if list, _ := s.Reminders(viewerOf("dana", "dana", false)); len(list) != 1 {
		t.Fatalf("the owner's browser peer lists %d reminders, want 1", len(list))
	}
	if err := s.DeleteReminder("eve", r.ID, true); KindOf(err) != NotFound {
		t.Fatalf("an admin deletes someone's private reminder: %v", err)
	}
	clock.Advance(time.Minute)
	sent, err := s.FireDue()
	if err != nil || len(sent) != 1 || sent[0].Private != "dana" {
		t.Fatalf("fired = %+v, %v", sent, err)
	}
	if list, _ := s.Messages(viewerOf("dana", "dana", false), MessageFilter{Box: "private", Unread: true}); len(list) != 1 {
		t.Fatalf("the owner has %d unread private notes, want the reminder", len(list))
	}
	if list, _ := s.Messages(viewerOf("eve", "eve", true), MessageFilter{Box: "hub", Query: "cert"}); len(list) != 0 {
		t.Fatalf("an admin sees the private reminder's message")
	}
}

// Unread (the Inbox badge) counts a private note another of the owner's
// peers wrote until it is read, and never one the viewer wrote itself.
func TestUnreadCountsOwnPrivateNotes(t *testing.T) {
	s := privateSvc(t)
	if _, err := s.Send("alice", Message{To: "me", Body: "my own note"}); err != nil {
		t.Fatal(err)
	}
	m, err := s.Send("alice/agent", Message{To: "me", Body: "from my agent"})
	if err != nil {
		t.Fatal(err)
	}
	alice := viewerOf("alice", "alice", false)
	if n, _ := s.Unread(alice, 100); n != 1 {
		t.Fatalf("alice's unread = %d, want 1 (her agent's note, not her own)", n)
	}
	if n, _ := s.Unread(viewerOf("bob", "bob", true), 100); n != 0 {
		t.Fatalf("bob's unread = %d, want 0", n)
	}
	if _, err := s.Message(alice, m.ID, true); err != nil {
		t.Fatal(err)
	}
	if n, _ := s.Unread(alice, 100); n != 0 {
		t.Fatalf("alice's unread after reading = %d, want 0", n)
	}
}
