package handlers

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/ct-dev/ct/auth"
	"github.com/ct-dev/ct/db"
	"github.com/ct-dev/ct/views"
	"github.com/go-chi/chi/v5"
)

// Share links (read-only views of one session for someone without an
// account): made and revoked on the session's life page by people who may
// drive it; opened at /v/{token} with no login. The token is the
// credential (only its HMAC is stored, db/shares.go); every open stream of
// a share is registered under shareCred, so revoking it or forgetting its
// session closes them at once.

// Share link lifetimes: the default a form offers, and the longest one
// (ct serve --max-share-age).
const (
	DefaultShareAge    = 24 * time.Hour
	DefaultMaxShareAge = 7 * 24 * time.Hour
)

// shareAges are the lifetimes the form offers (those above the hub's max
// are left out).
var shareAges = []time.Duration{time.Hour, 8 * time.Hour, DefaultShareAge, 3 * 24 * time.Hour, DefaultMaxShareAge}

// shareCred is the credential id a share's streams are registered under:
// "share:<session>:<share>", so a session's shares can be closed together.
func shareCred(sh db.Share) string { return "share:" + sh.Session + ":" + sh.ID }

// dropShares closes the open streams of session's share shareID ("": all
// of the session's shares).
func (s *Server) dropShares(session, shareID string) {
	prefix := "share:" + session + ":"
	s.live.drop(func(c *liveConn) bool {
		rest, ok := strings.CutPrefix(c.cred, prefix)
		return ok && (shareID == "" || rest == shareID)
	})
}

// humanAge says a share lifetime as people do: "7 days", "8 hours".
func humanAge(d time.Duration) string {
	switch {
	case d >= 48*time.Hour && d%(24*time.Hour) == 0:
		return strconv.Itoa(int(d/(24*time.Hour))) + " days"
	case d >= time.Hour && d%time.Hour == 0:
		return strconv.Itoa(int(d/time.Hour)) + " hours"
	}
	return d.String()
}

// shareView is a share link as the life page lists it.
func shareView(sh db.Share, now time.Time) views.ShareRow {
	row := views.ShareRow{ID: sh.ID, By: sh.By, Created: sh.CreatedAt, Expires: sh.ExpiresAt, State: "active"}
	switch {
	case sh.Revoked:
		row.State = "revoked by " + sh.RevokedBy
	case now.After(sh.ExpiresAt):
		row.State = "expired"
	}
	return row
}

// handleShareCreate makes a share link (people who may drive the
// session) and shows it once on the life page.
func (s *Server) handleShareCreate(w http.ResponseWriter, r *http.Request) error {
	if err := parseLifeForm(w, r); err != nil {
		return err
	}
	id := chi.URLParam(r, "id")
	ss, err := s.visibleSession(principal(r), id, true)
	if err != nil {
		return err
	}
	age := DefaultShareAge
	if v := r.PostForm.Get("age"); v != "" {
		if age, err = time.ParseDuration(v); err != nil || age <= 0 {
			return errorf(http.StatusBadRequest, "Choose how long the link works (for example 24h).")
		}
	}
	if age > s.maxShareAge {
		return errorf(http.StatusBadRequest, "A share link works at most "+s.maxShareAge.String()+" on this hub; choose a shorter time.")
	}
	sh, token, err := s.store.CreateShare(id, principal(r).User, age, time.Now())
	if err != nil {
		return err
	}
	s.audit(r, "share.create", id+" share "+sh.ID+" until "+sh.ExpiresAt.Format(time.RFC3339))
	m, err := s.manageModel(r, ss)
	if err != nil {
		return err
	}
	m.NewLink, m.NewUntil = hubURL(r)+"/v/"+token, sh.ExpiresAt.UTC().Format("2006-01-02 15:04 UTC")
	w.Header().Set("Cache-Control", "no-store") // the page shows the token
	return render(w, r, views.SessionManagePage(m))
}

// handleShareRevoke ends a share link and closes its open pages at once.
func (s *Server) handleShareRevoke(w http.ResponseWriter, r *http.Request) error {
	id := chi.URLParam(r, "id")
	if _, err := s.visibleSession(principal(r), id, true); err != nil {
		return err
	}
	sh, err := s.store.RevokeShare(id, chi.URLParam(r, "share"), principal(r).User, time.Now())
	if errors.Is(err, db.ErrNotFound) {
		return errorf(http.StatusNotFound, "No such share link on this session; reload its page.")
	}
	if err != nil {
		return err
	}
	s.dropShares(id, sh.ID)
	s.audit(r, "share.revoke", id+" share "+sh.ID)
	http.Redirect(w, r, "/s/"+id+"/manage", http.StatusSeeOther)
	return nil
}

// openShare checks the token in the request's path: 404 for a token the
// hub never made, 410 for one revoked or expired.
func (s *Server) openShare(r *http.Request) (db.Share, error) {
	sh, err := s.store.OpenShare(chi.URLParam(r, "token"), time.Now())
	switch {
	case errors.Is(err, db.ErrBadShare):
		return sh, errorf(http.StatusNotFound, db.ErrBadShare.Error()+".")
	case errors.Is(err, db.ErrDeadShare):
		return sh, errorf(http.StatusGone, strings.ToUpper(db.ErrDeadShare.Error()[:1])+db.ErrDeadShare.Error()[1:]+".")
	}
	return sh, err
}

// sharePrincipal is who a share page's stream acts as: nobody with a role
// (it may see and drive nothing), named after the person who shared it.
func sharePrincipal(sh db.Share) auth.Principal {
	return auth.Principal{User: "share link from " + sh.By, Kind: "share", TokenID: shareCred(sh)}
}

// handleShareShow is the read-only page of a share link: screen and
// transcript, no input, no controls, no login.
func (s *Server) handleShareShow(w http.ResponseWriter, r *http.Request) error {
	sh, err := s.openShare(r)
	if err != nil {
		return err
	}
	snap, err := s.hub.Screen(sh.Session)
	if err != nil {
		return err
	}
	token := chi.URLParam(r, "token")
	m := sessionModel(snap, "/v/"+token+"/events?v="+newStreamKey())
	w.Header().Set("Cache-Control", "no-store")
	return render(w, r, views.SharePage(views.ShareSession{Session: m, By: sh.By, Expires: sh.ExpiresAt, Log: shareLogURL(token)}))
}

// handleShareEvents is a share page's live stream: screen and transcript
// updates only. It ends when the link expires, is revoked, or its
// session is forgotten.
func (s *Server) handleShareEvents(w http.ResponseWriter, r *http.Request) {
	sh, err := s.openShare(r)
	if err != nil {
		var e *Error
		errors.As(err, &e)
		status := http.StatusInternalServerError
		if e != nil {
			status = e.Status
		}
		http.Error(w, http.StatusText(status), status)
		return
	}
	ctx, cancel := context.WithDeadline(withPrincipal(r.Context(), sharePrincipal(sh)), sh.ExpiresAt)
	defer cancel()
	s.pages.serve(w, r.WithContext(ctx), topicShare(sh.Session))
}
