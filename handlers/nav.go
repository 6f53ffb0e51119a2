package handlers

import (
	"net/http"

	"github.com/ct-dev/ct/auth"
	"github.com/ct-dev/ct/db"
	"github.com/ct-dev/ct/views"
)

// withNav gives every authenticated page its app bar (views.Nav). The
// counts are computed only if a full page renders (the layout asks), so
// fragments, streams and API calls cost nothing extra.
func (s *Server) withNav(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := principal(r)
		if p.Kind != auth.KindSession {
			next.ServeHTTP(w, r) // scripts and machines get no pages to navigate
			return
		}
		f := func() views.Nav { return s.navModel(r, p) }
		next.ServeHTTP(w, r.WithContext(views.WithNav(r.Context(), f)))
	})
}

// navModel counts what waits for p: prompts on machines p may see, and
// unread messages in p's inbox and private space. A count that cannot be
// read is left out (0), never an error: the bar must not break the page.
func (s *Server) navModel(r *http.Request, p auth.Principal) views.Nav {
	n := views.Nav{User: p.User, Admin: p.IsAdmin(), Unread: -1}
	if pending, err := s.store.Prompts(db.PromptFilter{State: db.PromptPending}); err == nil {
		for _, pr := range pending {
			if p.CanSee(pr.Node) {
				n.Approvals++
			}
		}
	}
	if s.coord == nil {
		return n
	}
	if _, v, err := s.peerOf(r); err == nil {
		n.Unread = 0
		// The inbox's unread and the person's own unread private notes;
		// capped at 100: the badge says "99+" anyway.
		if count, err := s.coord.Unread(v, 100); err == nil {
			n.Unread = count
		}
	}
	return n
}
