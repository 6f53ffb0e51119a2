package handlers

import (
	"net/http"

	"github.com/ct-dev/ct/coord"
)

// Prompt notices are typed by package promptnotice (started by ct serve);
// the HTTP side only checks that a peer may name the session they go to.

// checkPeerSession refuses a session the caller may not drive: the hub
// types into it on the caller's behalf.
func (s *Server) checkPeerSession(r *http.Request, u coord.PeerUpdate) error {
	if u.Session == nil || *u.Session == "" {
		return nil
	}
	_, err := s.visibleSession(principal(r), *u.Session, true)
	return err
}
