package handlers

import (
	"net/http"

	"github.com/ct-dev/ct/screen"
	"github.com/ct-dev/ct/static"
	"github.com/go-chi/chi/v5"
)

// routes lists every route ct serves.
func (s *Server) routes() http.Handler {
	r := chi.NewRouter()
	r.Use(securityHeaders)
	r.Use(s.meters.count) // open streams and sockets, for /metrics

	r.Get("/healthz", s.handleHealth)
	r.Handle("/static/*", http.StripPrefix("/static/", cacheAssets(http.FileServerFS(static.FS))))
	palette := screen.PaletteCSS()
	r.Get("/static/palette.css", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/css; charset=utf-8")
		w.Header().Set("Cache-Control", "public, max-age=3600")
		_, _ = w.Write([]byte(palette))
	})

	// Pages and fragments for browsers.
	r.Get("/", s.page(s.handleLobbyShow))
	r.Get("/s/{id}", s.page(s.handleSessionShow))
	r.Post("/s/{id}/input", s.page(s.handleSessionInput))
	r.Post("/s/{id}/settings", s.page(s.handleSessionSettings))
	r.Get("/approvals", s.page(s.handleApprovalsShow))
	r.Get("/p/{id}", s.page(s.handlePromptShow))
	r.Post("/p/{id}/decide", s.page(s.handlePromptDecide))

	// Live streams (r3labs/sse, one stream per open page).
	r.Get("/events/lobby", s.handleLobbyEvents)
	r.Get("/events/s/{id}", s.handleSessionEvents)
	r.Get("/events/approvals", s.handleApprovalsEvents)
	r.Get("/events/p/{id}", s.handlePromptEvents)

	// Workstations: one outbound WebSocket per ct wrap.
	r.Get("/ws/wrap", s.handleWrapSocket)

	// JSON API for scripts and agents.
	r.Route("/api/v1", func(r chi.Router) {
		r.Get("/sessions", s.api(s.handleAPISessionsList))
		r.Get("/sessions/{id}", s.api(s.handleAPISessionShow))
		r.Get("/sessions/{id}/screen", s.api(s.handleAPISessionScreen))
		r.Get("/sessions/{id}/log", s.api(s.handleAPISessionLog))
		r.Post("/sessions/{id}/input", s.api(s.handleAPISessionInput))
		r.Get("/admin/backup", s.api(s.handleAdminBackup)) // ct backup; needs CT_ADMIN_TOKEN
		r.Get("/prompts", s.api(s.handleAPIPromptsList))
		r.Post("/prompts/{id}/decision", s.api(s.handleAPIPromptDecide))
		r.NotFound(s.api(func(http.ResponseWriter, *http.Request) error {
			return errorf(http.StatusNotFound, "no such API endpoint; see README.md for the API")
		}))
	})
	return r
}

func (s *Server) handleHealth(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte("ok\n"))
}

// securityHeaders sets headers every response carries.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		next.ServeHTTP(w, r)
	})
}

func cacheAssets(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=300")
		next.ServeHTTP(w, r)
	})
}
