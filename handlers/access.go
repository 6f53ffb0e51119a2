package handlers

import (
	"errors"
	"net/http"

	"github.com/ct-dev/ct/auth"
	"github.com/ct-dev/ct/db"
)

// errHidden answers for sessions and prompts the principal may not see: the
// same 404 as for ones that do not exist, so their existence does not leak.
var errHidden = errorf(http.StatusNotFound, "No such session. It may have been removed, or you are not granted its machine.")

// visibleSession returns session id if p may see it; with drive set, also
// checks that p may type into it and answer its prompts.
func (s *Server) visibleSession(p auth.Principal, id string, drive bool) (db.Session, error) {
	ss, err := s.store.GetSession(id)
	if errors.Is(err, db.ErrNotFound) || (err == nil && !p.CanSee(ss.Node)) {
		return ss, errHidden
	}
	if err != nil {
		return ss, err
	}
	if drive && !p.CanDrive(ss.Node) {
		return ss, forbidden(p, "type into sessions or answer prompts")
	}
	return ss, nil
}

// visiblePrompt returns prompt id if p may see it (and, with drive, answer it).
func (s *Server) visiblePrompt(p auth.Principal, id string, drive bool) (db.Prompt, error) {
	pr, err := s.store.GetPrompt(id)
	if errors.Is(err, db.ErrNotFound) || (err == nil && !p.CanSee(pr.Node)) {
		return pr, errorf(http.StatusNotFound, "No such prompt, or you are not granted its machine.")
	}
	if err != nil {
		return pr, err
	}
	if drive && !p.CanDrive(pr.Node) {
		return pr, forbidden(p, "answer prompts")
	}
	return pr, nil
}
