package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/ct-dev/ct/db"
)

// startRetention trims old and long logs in the background while r asks
// for either, and returns a func that stops it and waits, so the store
// closes after it.
func startRetention(ctx context.Context, r db.Retention, store *db.Store, log *slog.Logger) (stop func()) {
	if r.Keep <= 0 && r.MaxSessionLog <= 0 {
		return func() {}
	}
	// A pass per hour at most; sooner for short ages so they hold roughly,
	// and every minute when logs are bounded: a live session keeps growing.
	interval := time.Hour
	if r.Keep > 0 {
		interval = min(max(r.Keep/24, time.Minute), time.Hour)
	}
	if r.MaxSessionLog > 0 {
		interval = time.Minute
	}
	log.Info("retention on", "keep", r.Keep.String(), "max_session_log", r.MaxSessionLog, "every", interval.String())
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		store.RunRetention(ctx, r, interval, func(r db.TrimResult, err error) {
			if err != nil {
				log.Warn("retention pass failed; retrying next pass", "error", err)
			} else if r.Sessions > 0 || r.Events > 0 {
				log.Info("retention trimmed", "sessions", r.Sessions, "events", r.Events, "bytes", r.Bytes)
			}
		})
	}()
	return func() { cancel(); <-done }
}
