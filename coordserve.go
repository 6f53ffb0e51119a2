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

// startCoord builds the coordination service and its simulation clock
// (stopped until clock_set) and starts the reminder loop (which first
// fires, once and flagged late, anything missed while the hub was down).
// stop ends the clock's ticks and live streams and waits for the loop, so
// the store can close after it.
func startCoord(ctx context.Context, store *db.Store, log *slog.Logger, lim coord.Limits, clockTick time.Duration) (svc *coord.Service, sim *coord.SimClock, stop func()) {
	svc = coord.NewLimited(store, nil, log, lim)
	sim = coord.NewSimClock(svc.Bus(), clockTick, nil)
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { // the reminder loop: one per hub
		defer wg.Done()
		svc.Run(ctx, reminderTick)
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
