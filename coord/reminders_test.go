package coord

import (
	"testing"
	"time"
)

func TestReminderFiresOnTimeOnce(t *testing.T) {
	s, clock := newSvc(t)
	sub := s.Bus().Subscribe("bob", nil, false)
	at := t0.Add(90 * time.Second)
	r, err := s.AddReminder("alice", Reminder{To: "bob", Body: "standup", At: &at})
	if err != nil {
		t.Fatal(err)
	}
	if sent, _ := s.FireDue(); len(sent) != 0 {
		t.Fatalf("fired early: %+v", sent)
	}
	clock.Advance(89 * time.Second)
	if sent, _ := s.FireDue(); len(sent) != 0 {
		t.Fatalf("fired 1 s early: %+v", sent)
	}
	clock.Advance(time.Second)
	sent, _ := s.FireDue()
	if len(sent) != 1 || sent[0].Late || sent[0].From != "alice" || sent[0].Source != "reminder:"+r.ID {
		t.Fatalf("at its time: %+v", sent)
	}
	e := <-sub.C
	for e.Message == nil { // presence notices come first
		e = <-sub.C
	}
	if e.Message.Body != "standup" {
		t.Fatalf("pushed %+v", e)
	}
	clock.Advance(time.Hour)
	if sent, _ := s.FireDue(); len(sent) != 0 {
		t.Fatalf("one-off fired twice: %+v", sent)
	}
	_, err = s.AddReminder("alice", Reminder{To: "bob", Body: "x", At: &at})
	kindIs(t, err, Invalid) // in the past now
	_, err = s.AddReminder("alice", Reminder{To: "bob", Body: "x", Cron: "every day"})
	kindIs(t, err, Invalid)
}

func TestReminderCron(t *testing.T) {
	s, clock := newSvc(t)
	if _, err := s.AddReminder("alice", Reminder{To: "bob", Body: "tick", Cron: "*/5 * * * *"}); err != nil {
		t.Fatal(err)
	}
	fired := 0
	for i := 0; i < 15; i++ { // 15 minutes, one minute at a time: 08:05, 08:10, 08:15
		clock.Advance(time.Minute)
		sent, _ := s.FireDue()
		fired += len(sent)
	}
	if fired != 3 {
		t.Fatalf("fired %d times in 15 minutes of */5, want 3", fired)
	}
}

// A hub that is down when reminders fall due fires each once at start,
// flagged late, and never again after a second restart.
func TestReminderExactlyOnceAcrossRestart(t *testing.T) {
	dir := t.TempDir()
	clock := NewFakeClock(t0)
	s, st := open(t, dir, clock)
	s.Identify("u-bob", "bob", KindAI)
	at := t0.Add(time.Minute)
	s.AddReminder("bob", Reminder{To: "bob", Body: "once", At: &at})
	s.AddReminder("bob", Reminder{To: "bob", Body: "hourly", Cron: "@hourly"})
	st.Close() // hub stops

	clock.Advance(5 * time.Hour) // down through five hourly times
	s, st = open(t, dir, clock)
	sent, err := s.FireDue()
	if err != nil {
		t.Fatal(err)
	}
	if len(sent) != 2 || !sent[0].Late || !sent[1].Late {
		t.Fatalf("at start after downtime: %+v", sent)
	}
	st.Close() // a second restart, no time passing
	s, st = open(t, dir, clock)
	defer st.Close()
	if sent, _ := s.FireDue(); len(sent) != 0 {
		t.Fatalf("fired again after a second restart: %+v", sent)
	}
	msgs, _ := s.Messages(Viewer{Peer: "bob"}, MessageFilter{})
	if len(msgs) != 2 {
		t.Fatalf("%d messages stored, want 2", len(msgs))
	}
	clock.Advance(time.Hour)
	if sent, _ := s.FireDue(); len(sent) != 1 || sent[0].Late || sent[0].Body != "hourly" {
		t.Fatalf("next hourly: %+v", sent)
	}
}
