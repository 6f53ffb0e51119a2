package handlers

import (
	"context"
	"net/http"
	"strconv"

	"github.com/ct-dev/ct/views"
)

// A share page's live status and its log download (share.go has the
// links themselves). The page's status badge follows the session as the
// session page's does; the log is the API's download, under the share's
// token instead of a login, with the same chunked, deadline-bound writer.

// publishShareStatus sends the share pages ids of session sid their
// status line (live, ended with its exit code, offline).
func (r *renderer) publishShareStatus(sid string, ids []string) {
	m, _, ok := r.statusModel(sid, ids)
	if !ok {
		return
	}
	r.pages.publish(ids, "screen", r.pages.nextID(), renderHTML(views.ShareStatus(m)))
}

// shareLogURL is the log download of the share link token.
func shareLogURL(token string) string { return "/v/" + token + "/log" }

// handleShareLog is GET /v/{token}/log: every stored output byte of the
// shared session, as GET /api/v1/sessions/{id}/log gives it to people who
// may see it. It stops when the link expires (revoking it refuses the
// next download; one under way runs to its end, bounded per chunk).
func (s *Server) handleShareLog(w http.ResponseWriter, r *http.Request) error {
	sh, err := s.openShare(r)
	if err != nil {
		return err
	}
	ss, err := s.store.GetSession(sh.Session)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithDeadline(r.Context(), sh.ExpiresAt)
	defer cancel()
	w.Header().Set("Cache-Control", "no-store") // the token is in the URL
	w.Header().Set("Content-Disposition", `attachment; filename="ct-session-`+strconv.FormatUint(ss.Number, 10)+`.log"`)
	return s.writeLog(w, r.WithContext(ctx), ss)
}
