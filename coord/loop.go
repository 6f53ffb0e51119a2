package coord

import (
	"context"
	"time"
)

// The hub's one coordination loop (started by ct serve's startCoord):
// reminders, message deadlines and message retention.

// Recorder is where the loop writes what the hub did on its own (the
// audit log): escalated deadlines and expired messages.
type Recorder interface {
	Record(actor, action, subject, addr string)
}

// sweepEvery is how often Run looks for messages past their retention: a
// retention is hours, so a minute late costs nothing and the full scan of
// the messages runs rarely.
const sweepEvery = time.Minute

// Run fires due reminders and escalates missed deadlines at once (what
// came due while the hub was down) and then every tick, and expires
// settled messages every sweepEvery, until ctx ends. rec (nil: none)
// hears of every escalation and expiry.
func (s *Service) Run(ctx context.Context, tick time.Duration, rec Recorder) {
	t := time.NewTicker(tick)
	defer t.Stop()
	var swept time.Time
	for {
		if _, err := s.FireDue(); err != nil {
			s.log.Error("reminders", "error", err)
		}
		s.tend(rec, &swept)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// tend escalates due deadlines and, once a sweepEvery, expires messages.
func (s *Service) tend(rec Recorder, swept *time.Time) {
	esc, err := s.EscalateDue()
	if err != nil {
		s.log.Error("message deadlines", "error", err)
	}
	for _, m := range esc {
		record(rec, "message.escalate", m.ID+" "+m.From+" -> "+m.To+": no answer by "+m.Deadline.UTC().Format(time.RFC3339))
	}
	if now := s.clock.Now(); now.Sub(*swept) >= sweepEvery {
		*swept = now
		gone, err := s.ExpireMessages()
		if err != nil {
			s.log.Error("message retention", "error", err)
		}
		for _, m := range gone {
			record(rec, "message.expire", m.ID+" "+m.From+" -> "+m.To+" (settled "+SettledAt(&m).Format(time.RFC3339)+")")
		}
	}
}

func record(rec Recorder, action, subject string) {
	if rec != nil {
		rec.Record(HubSender, action, subject, "")
	}
}
