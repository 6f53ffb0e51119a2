package handlers

import (
	"net/http"

	"github.com/go-chi/chi/v5"
)

// The JSON twins of the life page's forms (docs/api.md): the same rights,
// refusals and audit entries, answered with JSON instead of a redirect.

// handleAPISessionStop is POST /api/v1/sessions/{id}/stop: SIGTERM, then
// SIGKILL after --stop-grace; 202 because the program ends later.
func (s *Server) handleAPISessionStop(w http.ResponseWriter, r *http.Request) error {
	id := chi.URLParam(r, "id")
	if err := s.stopSession(r, id); err != nil {
		return err
	}
	writeJSON(w, http.StatusAccepted, map[string]string{"session_id": id, "stop_grace": s.stopGrace.String()})
	return nil
}

// handleAPISessionArchive is POST /api/v1/sessions/{id}/archive.
func (s *Server) handleAPISessionArchive(w http.ResponseWriter, r *http.Request) error {
	return s.apiArchive(w, r, true)
}

// handleAPISessionRestore is POST /api/v1/sessions/{id}/restore.
func (s *Server) handleAPISessionRestore(w http.ResponseWriter, r *http.Request) error {
	return s.apiArchive(w, r, false)
}

func (s *Server) apiArchive(w http.ResponseWriter, r *http.Request, on bool) error {
	ss, _, err := s.archiveSession(r, chi.URLParam(r, "id"), on)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toAPI(ss))
	return nil
}

// handleAPISessionForget is DELETE /api/v1/sessions/{id}: the record, its
// log, transcript index, usage and share links, in one transaction.
func (s *Server) handleAPISessionForget(w http.ResponseWriter, r *http.Request) error {
	if err := s.forgetSession(r, chi.URLParam(r, "id"), true); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
