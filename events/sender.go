package events

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/ct-dev/ct/db"
)

// Defaults for retries (ct serve --webhook-retry-min, --webhook-retry-max,
// --webhook-attempts).
const (
	DefaultRetryMin = 10 * time.Second // the first retry: a receiver restarting is back by then
	DefaultRetryMax = time.Hour        // the cap of the doubling: retries stay hourly at worst
	DefaultAttempts = 12               // about a day of trying with the defaults, then failed
)

// maxParallel bounds webhooks delivered to at once: each is one outbound
// request, and one webhook's events go out one at a time anyway.
const maxParallel = 8

// maxErrorText bounds the last error kept in the delivery log.
const maxErrorText = 300

// SenderOptions is what the webhook sender needs.
type SenderOptions struct {
	Store *db.Store
	Log   *slog.Logger
	// Client posts deliveries; it must refuse the addresses the admin has
	// not allowed at dial time (notify.DialPolicy.Client).
	Client   *http.Client
	RetryMin time.Duration // the first retry's delay; each next one doubles
	RetryMax time.Duration // the cap of a retry's delay
	Attempts int           // attempts before a delivery is failed
}

// Sender delivers queued webhook deliveries from the store: oldest first
// per webhook, signed, retried with exponential backoff. The queue is in
// bbolt, so a restart resumes it; an attempt cut short by a crash is made
// again (receivers deduplicate on the delivery id).
type Sender struct {
	o       SenderOptions
	started time.Time     // a retry scheduled by an earlier run waits at most RetryMax from here
	wake    chan struct{} // one pending wake-up (coalesced)
	done    chan struct{}
	wg      sync.WaitGroup
	once    sync.Once
}

// NewSender starts the sender's loop.
func NewSender(o SenderOptions) *Sender {
	if o.RetryMin <= 0 {
		o.RetryMin = DefaultRetryMin
	}
	if o.RetryMax < o.RetryMin {
		o.RetryMax = max(o.RetryMin, DefaultRetryMax)
	}
	if o.Attempts <= 0 {
		o.Attempts = DefaultAttempts
	}
	s := &Sender{o: o, started: time.Now(), wake: make(chan struct{}, 1), done: make(chan struct{})}
	s.wg.Add(1)
	go s.run() // one loop: deliveries of a webhook stay in order
	return s
}

// Wake says a delivery was queued.
func (s *Sender) Wake() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Close stops the loop and waits for attempts under way.
func (s *Sender) Close() {
	s.once.Do(func() { close(s.done) })
	s.wg.Wait()
}

func (s *Sender) run() {
	defer s.wg.Done()
	// A timer for the next retry; the idle wait is long because a queued
	// delivery always wakes the loop.
	t := time.NewTimer(time.Hour)
	defer t.Stop()
	for {
		next := s.round()
		wait := time.Hour
		if !next.IsZero() {
			wait = max(time.Until(next), 0)
		}
		t.Reset(wait)
		select {
		case <-s.wake:
		case <-t.C:
		case <-s.done:
			return
		}
	}
}

// round attempts every webhook's oldest delivery that is due, until none
// is, and returns when the next one falls due (zero: none queued).
func (s *Sender) round() time.Time {
	for {
		heads, err := s.o.Store.NextDeliveries()
		if err != nil {
			s.o.Log.Error("webhooks: read the queue", "error", err)
			return time.Now().Add(s.o.RetryMin)
		}
		var due []db.Delivery
		var next time.Time
		now := time.Now()
		for _, d := range heads {
			at := d.NextAt
			if limit := s.started.Add(s.o.RetryMax); at.After(limit) {
				at = limit // scheduled by a run with a longer --webhook-retry-max
			}
			if !at.After(now) {
				due = append(due, d)
			} else if next.IsZero() || at.Before(next) {
				next = at
			}
		}
		if len(due) == 0 {
			return next
		}
		sem := make(chan struct{}, maxParallel)
		var wg sync.WaitGroup
		var stuck sync.Once // an outcome the store would not take
		retry := time.Time{}
		for _, d := range due {
			wg.Add(1)
			sem <- struct{}{}
			go func() { // one attempt per webhook at a time, up to maxParallel webhooks
				defer wg.Done()
				defer func() { <-sem }()
				if !s.attempt(d) {
					stuck.Do(func() { retry = time.Now().Add(s.o.RetryMin) })
				}
			}()
		}
		wg.Wait()
		if !retry.IsZero() {
			return retry // the store fails: try again later, not in a tight loop
		}
		select {
		case <-s.done:
			return time.Time{}
		default:
		}
	}
}

// attempt posts d once and records the outcome; false: the store did not
// take it.
func (s *Sender) attempt(d db.Delivery) bool {
	w, err := s.o.Store.GetWebhook(d.Webhook)
	if err != nil {
		return s.finish(d, 0, fmt.Errorf("the webhook was deleted"), true)
	}
	status, err := s.post(w, d)
	return s.finish(d, status, err, false)
}

func (s *Sender) post(w db.Webhook, d db.Delivery) (int, error) {
	// Stopping the hub cuts an attempt short; it is made again at start.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		select {
		case <-s.done:
			cancel()
		case <-ctx.Done():
		}
	}()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.URL, bytes.NewReader(d.Body))
	if err != nil {
		return 0, err
	}
	ts := time.Now().Unix()
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "ct-webhooks")
	req.Header.Set(HeaderEvent, d.EventType)
	req.Header.Set(HeaderDelivery, strconv.FormatUint(d.ID, 10))
	req.Header.Set(HeaderTimestamp, strconv.FormatInt(ts, 10))
	req.Header.Set(HeaderSignature, Sign(w.Secret, ts, d.Body))
	resp, err := s.o.Client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // reuse the connection
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return resp.StatusCode, fmt.Errorf("the receiver answered %s", resp.Status)
	}
	return resp.StatusCode, nil
}

// finish records an attempt: delivered, retried later or failed.
func (s *Sender) finish(d db.Delivery, status int, err error, final bool) bool {
	now := time.Now().UTC()
	out, ferr := s.o.Store.FinishAttempt(d.ID, func(x *db.Delivery) {
		x.Attempts++
		x.LastStatus, x.LastError = status, ""
		switch {
		case err == nil:
			x.State, x.DoneAt, x.NextAt = db.DeliveryDelivered, now, time.Time{}
		case final || x.Attempts >= s.o.Attempts:
			x.State, x.DoneAt, x.NextAt, x.LastError = db.DeliveryFailed, now, time.Time{}, errText(err)
		default:
			x.NextAt, x.LastError = now.Add(s.backoff(x.Attempts)), errText(err)
		}
	})
	if ferr != nil && !errors.Is(ferr, db.ErrNotFound) {
		s.o.Log.Error("webhooks: record an attempt", "delivery", d.ID, "error", ferr)
		return false
	}
	if err != nil {
		s.o.Log.Warn("webhook delivery failed", "webhook", d.Webhook, "delivery", d.ID, "attempts", out.Attempts, "state", out.State, "error", err)
	}
	return true
}

// backoff is the delay after attempt n (1, 2, ...): RetryMin doubled
// n-1 times, capped at RetryMax.
func (s *Sender) backoff(n int) time.Duration {
	d := s.o.RetryMin
	for i := 1; i < n && d < s.o.RetryMax; i++ {
		d *= 2
	}
	return min(d, s.o.RetryMax)
}

func errText(err error) string {
	t := err.Error()
	if len(t) > maxErrorText {
		t = t[:maxErrorText]
	}
	return t
}
