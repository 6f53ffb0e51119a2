package coord

import (
	"context"
	"testing"
	"time"
)

// A waiter is woken by the next event it may see, resumes by id, never
// sees another peer's messages, and is told when it fell out of the log.
func TestWaitForEvents(t *testing.T) {
	s, _ := newSvc(t)
	bus := s.Bus()
	from := bus.LatestEventID()
	bob := Viewer{Peer: "bob"}
	got := make(chan EventPage, 1)
	go func() { got <- bus.Wait(context.Background(), EventQuery{Viewer: bob, Since: from}) }()
	// carol's message to alice is not bob's: bob keeps waiting through it.
	if _, err := s.Send("carol", Message{To: "alice", Body: "private"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Acquire("alice", "deploy", time.Minute, "release"); err != nil {
		t.Fatal(err)
	}
	p := <-got
	if len(p.Events) != 1 || p.Events[0].Type != "lock" || p.Events[0].ID != p.Next || p.Missed {
		t.Fatalf("bob got %+v, want the lock event alone", p)
	}
	// Resuming from Next sees only later events; a types filter applies.
	if _, err := s.Send("carol", Message{To: "bob", Body: "hi bob"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddTodo("carol", Todo{Title: "t"}); err != nil {
		t.Fatal(err)
	}
	p2 := bus.Wait(context.Background(), EventQuery{Viewer: bob, Since: p.Next, Types: []string{"message"}})
	if len(p2.Events) != 1 || p2.Events[0].Message.Body != "hi bob" {
		t.Fatalf("bob's messages since %d: %+v", p.Next, p2)
	}
	// Nothing new: the wait ends with the caller's context, empty.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if p3 := bus.Wait(ctx, EventQuery{Viewer: bob, Since: bus.LatestEventID()}); len(p3.Events) != 0 || p3.Missed {
		t.Fatalf("an idle wait answered %+v", p3)
	}
	// Far behind (the log holds eventLogSize) or ahead (a restarted hub): missed.
	for range eventLogSize {
		bus.Publish(Event{Type: "notice", Notice: "n"})
	}
	if p4 := bus.Wait(context.Background(), EventQuery{Viewer: bob, Since: 1, Max: 5}); !p4.Missed || len(p4.Events) != 5 {
		t.Fatalf("a caller behind the log: %+v", p4)
	}
	if p5 := bus.Wait(context.Background(), EventQuery{Viewer: bob, Since: 1 << 40}); !p5.Missed {
		t.Fatalf("a caller ahead of the hub was not told it missed events: %+v", p5)
	}
}

// Closing the bus ends a waiter at once.
func TestWaitEndsOnClose(t *testing.T) {
	bus := NewBus()
	done := make(chan EventPage)
	go func() { done <- bus.Wait(context.Background(), EventQuery{Viewer: Viewer{Peer: "a"}}) }()
	bus.Close()
	<-done
}
