package main

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/ct-dev/ct/coord"
	"github.com/ct-dev/ct/db"
)

// reminderTick is how often the hub looks for due reminders: a second is
// well inside a minute-resolution cron schedule and costs one short read.
const reminderTick = time.Second

// startCoord builds the coordination service (applying o.Template on a
// hub that has none yet) and its simulation clock (stopped until
// clock_set), and starts its loop: due reminders (first, once and flagged
// late, anything missed while the hub was down), missed message deadlines
// and message retention, each escalation and expiry written to rec (the
// audit log). stop ends the clock's ticks and live streams and waits for
// the loop, so the store can close after it.
func startCoord(ctx context.Context, store *db.Store, log *slog.Logger, o outboundConfig, rec coord.Recorder) (svc *coord.Service, sim *coord.SimClock, stop func()) {
	svc = coord.NewLimited(store, nil, log, o.Coord)
	if o.Template != "" {
		// Before any request: the welcome and skills are there for the first peer.
		if applied, err := svc.ApplyTemplate(o.Template); err != nil {
			log.Error("template not applied", "template", o.Template, "error", err)
		} else if applied {
			log.Info("template applied", "template", o.Template)
		}
	}
	sim = coord.NewSimClock(svc.Bus(), o.ClockTick, nil)
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { // the reminder loop: one per hub
		defer wg.Done()
		svc.Run(ctx, reminderTick, rec) // also deadlines and message retention
	}()
	var once sync.Once
	return svc, sim, func() {
		once.Do(func() {
			sim.Close()
			svc.Bus().Close()
			cancel()
			wg.Wait()
		})
	}
}
