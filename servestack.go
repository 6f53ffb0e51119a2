package main

import (
	"context"
	"fmt"
	"log/slog"
	"sync"

	"github.com/ct-dev/ct/audit"
	"github.com/ct-dev/ct/coord"
	"github.com/ct-dev/ct/db"
	"github.com/ct-dev/ct/hub"
	"github.com/ct-dev/ct/notify"
	"github.com/ct-dev/ct/policy"
	"github.com/ct-dev/ct/promptnotice"
)

// hubStack is every long-lived service of ct serve below the HTTP layer.
// serve.go is the one place that builds and starts them (open) and stops
// them in order (the stop funcs); nothing else starts a goroutine that
// outlives a request.
type hubStack struct {
	store    *db.Store
	audit    *audit.Log
	hub      *hub.Hub
	coord    *coord.Service
	sim      *coord.SimClock  // the simulation clock, stopped with coord
	notifier *notify.Notifier // nil: notifications are off
	events   *eventsOut       // session and prompt events out: the stream's log and webhooks
	policy   *policyFile      // nil: approval policies are off

	stopCoord     func() // ends coordination streams and the reminder loop
	stopNotices   func() // ends the prompt-notice loop and its retries
	stopRetention func()
	stopPolicy    func() // ends the policy file's poller and the escalation sweep
	closeOnce     sync.Once
}

// openStack opens the store and starts the services on it.
func openStack(ctx context.Context, c serveConfig, log *slog.Logger) (*hubStack, error) {
	store, err := db.Open(c.Data)
	if err != nil {
		return nil, err
	}
	for _, step := range store.Migrated() {
		log.Info("store upgraded", "step", step, "path", store.Path())
	}
	st := &hubStack{store: store, stopNotices: func() {}, stopRetention: func() {}, stopCoord: func() {}, stopPolicy: func() {}}
	var policyOf func() *policy.Policy
	if c.Policy != "" {
		if st.policy, err = openPolicy(c.Policy, log); err != nil {
			store.Close()
			return nil, err
		}
		policyOf = st.policy.Current
	}
	if st.audit, err = openAudit(c, store, log); err != nil {
		store.Close()
		return nil, err
	}
	st.hub, err = hub.New(store, log, hub.Options{WheelTimeout: c.WheelTimeout, Audit: st.audit, MaxOpenPrompts: c.MaxOpenPrompts,
		SessionQuota: int64(c.Ingest.SessionQuota), MachineQuota: int64(c.Ingest.MachineQuota), MinFreeDisk: int64(c.Ingest.MinFreeDisk), DataDir: c.Data,
		MaxSessionsPerMachine: c.MaxSessionsPerMachine, EvictAfter: c.EvictAfter, ShareApproveWait: c.ShareApproveWait, Policy: policyOf, Escalated: st.escalateTo(log)})
	if err != nil {
		st.audit.Close()
		store.Close()
		return nil, err
	}
	st.coord, st.sim, st.stopCoord = startCoord(ctx, store, log, c.Outbound, st.audit)
	dial := notify.DialPolicy{AllowPrivate: c.Outbound.AllowPrivateNotify}
	if n, err := notify.New(notify.Deps{Store: store, Log: log, Waiting: st.hub.AgentWaiting, Dial: dial, GroupMembers: groupMembers(st.coord)}); err != nil {
		log.Error("notifications are off", "error", err)
	} else {
		st.notifier = n
		n.FollowMessages(st.coord.Bus()) // P0 messages to people
	}
	st.events = startEvents(c.Events, store, st.hub, log)
	st.stopNotices = startNotices(ctx, promptnotice.Deps{Coord: st.coord, Hub: st.hub, Store: store, Audit: st.audit, Log: log})
	st.stopPolicy = startPolicy(ctx, st.policy, st.hub)
	st.stopRetention = startRetention(ctx, db.Retention{Keep: c.Retain, MaxSessionLog: int64(c.Ingest.MaxSessionLog)}, store, log)
	return st, nil
}

// listeners is everyone the hub tells about its changes: the pages, the
// event recorder, and the notifier when notifications are on.
func (st *hubStack) listeners(pages hub.Listener) hub.Listener {
	ls := hub.Listeners{pages, st.events.recorder}
	if st.notifier != nil {
		ls = append(ls, st.notifier)
	}
	return ls
}

// startNotices runs the prompt-notice loop until stop is called.
func startNotices(ctx context.Context, d promptnotice.Deps) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { // one loop per hub; owns every pending notice
		defer close(done)
		promptnotice.New(d).Run(ctx)
	}()
	return func() { cancel(); <-done }
}

// stopServices ends what feeds the HTTP layer's long-lived streams, before
// the HTTP server shuts down.
func (st *hubStack) stopServices() {
	st.stopPolicy()
	st.stopCoord()
	st.stopNotices()
	st.events.recorder.Close() // ends the event streams
}

// close stops everything in order after the HTTP server has shut down:
// notifications and the audit queue, then the hub (which writes every
// received event), then retention and the store.
func (st *hubStack) close(ctx context.Context) error {
	var err error
	st.closeOnce.Do(func() {
		st.stopServices()
		if st.notifier != nil {
			st.notifier.Close()
		}
		st.audit.Close()
		st.events.sender.Close()
		if e := st.hub.Close(ctx); e != nil {
			err = fmt.Errorf("flush store: %w", e)
		}
		st.stopRetention()
		if e := st.store.Close(); e != nil && err == nil {
			err = e
		}
	})
	return err
}
