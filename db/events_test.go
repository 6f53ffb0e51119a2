package db

import (
	"testing"
)

// Event ids never repeat across a trim or a reopen, a trimmed log says
// where it now starts, and only webhooks that want an event's type get a
// delivery queued with it; deleting a webhook empties its queue.
func TestEventLogAndQueue(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []Webhook{{ID: "all"}, {ID: "prompts", Types: []string{"prompt.opened"}}, {ID: "off", Disabled: true}} {
		if err := s.PutWebhook(w); err != nil {
			t.Fatal(err)
		}
	}
	for _, typ := range []string{"session.started", "prompt.opened", "session.ended"} {
		if _, err := s.AppendEvent(typ, "box", func(id uint64) ([]byte, error) { return []byte(`{}`), nil }); err != nil {
			t.Fatal(err)
		}
	}
	heads, _ := s.NextDeliveries()
	byHook := map[string]uint64{}
	for _, d := range heads {
		byHook[d.Webhook] = d.EventID
	}
	if len(heads) != 2 || byHook["all"] != 1 || byHook["prompts"] != 2 {
		t.Fatalf("queue heads %+v, want all at event 1 and prompts at event 2", heads)
	}
	if err := s.DeleteWebhook("all"); err != nil {
		t.Fatal(err)
	}
	if heads, _ := s.NextDeliveries(); len(heads) != 1 || heads[0].Webhook != "prompts" {
		t.Fatalf("after deleting all: %+v", heads)
	}
	if err := s.TrimEvents(1); err != nil {
		t.Fatal(err)
	}
	list, first, err := s.EventsAfter(0, 10)
	if err != nil || len(list) != 1 || list[0].ID != 3 || first != 3 {
		t.Fatalf("after a trim to 1: %+v first %d (%v)", list, first, err)
	}
	s.Close()
	if s, err = Open(dir); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	rec, err := s.AppendEvent("session.started", "box", func(id uint64) ([]byte, error) { return []byte(`{}`), nil })
	if err != nil || rec.ID != 4 {
		t.Fatalf("after a reopen the next id is %d (%v), want 4", rec.ID, err)
	}
	if d, _ := s.NextDeliveries(); len(d) != 1 || d[0].EventID != 2 {
		t.Fatalf("the queue after a reopen: %+v", d)
	}
}
