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

// startCoord builds the coordination service and starts its loop: due
// reminders (first, once and flagged late, anything missed while the hub
// was down), missed message deadlines and message retention, each
// escalation and expiry written to rec (the audit log). stop ends live streams and waits for the loop, so the store
// can close after it.
func startCoord(ctx context.Context, store *db.Store, log *slog.Logger, lim coord.Limits, rec coord.Recorder) (svc *coord.Service, stop func()) {
	svc = coord.NewLimited(store, nil, log, lim)
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { // the reminder loop: one per hub
		defer wg.Done()
		svc.Run(ctx, reminderTick, rec) // also deadlines and message retention
	}()
	var once sync.Once
	return svc, func() {
		once.Do(func() {
			svc.Bus().Close()
			cancel()
			wg.Wait()
		})
	}
}
