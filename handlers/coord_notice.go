package handlers

import (
	"net/http"

	"github.com/ct-dev/ct/auth"

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
	p := principal(r)
	if p.Kind == auth.KindAgent {
		// An agent's credential names only the session it was minted for.
		if *u.Session != p.Session {
			return errHidden
		}
		return nil
	}
	_, err := s.visibleSession(p, *u.Session, true)
	return err
}
