package handlers

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/ct-dev/ct/auth"
	"github.com/ct-dev/ct/db"
	"github.com/ct-dev/ct/hub"
	"github.com/ct-dev/ct/notify"
	"github.com/ct-dev/ct/static"
	"github.com/go-chi/chi/v5"
)

// handleLinkDecide answers a prompt from a notification's Approve/Deny
// button: POST /a/{token}, no login. The token is signed by the hub and
// names one prompt, one decision, one person and an expiry; it works once.
// It answers in plain text because ntfy and the service worker show the
// body, not a page.
func (s *Server) handleLinkDecide(w http.ResponseWriter, r *http.Request) {
	status, msg := s.linkDecide(r)
	if status >= 500 {
		s.log.Error("one-tap link", "error", msg)
		msg = "Something went wrong on the hub; open the prompt to answer it."
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(msg + "\n"))
}

func (s *Server) linkDecide(r *http.Request) (int, string) {
	if s.notifier == nil {
		return http.StatusServiceUnavailable, "notifications are not running on this hub"
	}
	keys := s.notifier.Keys()
	l, err := keys.Redeem(s.store, chi.URLParam(r, "token"), time.Now())
	switch {
	case errors.Is(err, notify.ErrBadLink):
		return http.StatusForbidden, err.Error()
	case errors.Is(err, notify.ErrExpiredLink), errors.Is(err, notify.ErrUsedLink):
		return http.StatusGone, err.Error()
	case err != nil:
		return http.StatusInternalServerError, err.Error()
	}
	p, err := s.store.GetPrompt(l.Prompt)
	if err != nil {
		return http.StatusGone, "This prompt no longer exists."
	}
	u, err := s.store.GetUser(l.User)
	who := auth.Principal{User: u.Name, Role: u.Role, Grants: u.Grants, Kind: auth.KindSession}
	if err != nil || u.Disabled || !who.CanDrive(p.Node) {
		return http.StatusForbidden, "The person this link was sent to may no longer answer prompts on " + p.Node + "."
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), 10*time.Second)
	defer cancel()
	p, err = s.hub.Decide(ctx, l.Prompt, hub.Decision{Decision: l.Decision, By: l.User + " from a notification", Device: "phone", Person: l.User})
	switch {
	case errors.Is(err, hub.ErrSettled):
		return http.StatusGone, "Already settled: " + hub.SettledBy(p) + "."
	case errors.Is(err, hub.ErrOffline), errors.Is(err, hub.ErrBeingAnswered), errors.Is(err, hub.ErrTerminalOnly), errors.Is(err, hub.ErrSameApprover):
		return http.StatusConflict, err.Error()
	case err != nil:
		return http.StatusInternalServerError, err.Error()
	}
	s.auditAs(r, l.User, "prompt.decide", p.ID+" "+l.Decision+" (one-tap link)")
	if l.Decision == "allow" && p.State == db.PromptPending {
		return http.StatusOK, "Approval recorded: " + hub.Approvals(p) + "; it needs one more person."
	}
	if l.Decision == "allow" {
		return http.StatusOK, "Approved: " + p.Tool + " on " + p.Node + "."
	}
	return http.StatusOK, "Denied: " + p.Tool + " on " + p.Node + "."
}

// serveServiceWorker serves static/sw.js at /sw.js. It must not be cached
// long: browsers check it for updates, and a stale one would keep old
// assets around.
func serveServiceWorker(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	http.ServeFileFS(w, r, static.FS, "sw.js")
}
