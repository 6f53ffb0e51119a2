package handlers

import (
	"net/http"
	"strings"

	"github.com/go-chi/chi/v5"
)

// The pages' live streams (GET /events/...): each checks that the person may
// see what the page follows, then hands the request to the page-stream
// registry.

func (s *Server) handleLobbyEvents(w http.ResponseWriter, r *http.Request) {
	s.pages.serve(w, r, topicLobby)
}

func (s *Server) handleApprovalsEvents(w http.ResponseWriter, r *http.Request) {
	s.pages.serve(w, r, topicApprovals)
}

func (s *Server) handleSessionEvents(w http.ResponseWriter, r *http.Request) {
	id := chi.URLParam(r, "id")
	if _, err := s.visibleSession(principal(r), id, false); err != nil || strings.Contains(id, ":") {
		http.Error(w, "no such session", http.StatusNotFound)
		return
	}
	s.pages.serve(w, r, topicSession(id))
}

func (s *Server) handlePromptEvents(w http.ResponseWriter, r *http.Request) {
	id := chi.URLParam(r, "id")
	if _, err := s.visiblePrompt(principal(r), id, false); err != nil || strings.Contains(id, ":") {
		http.Error(w, "no such prompt", http.StatusNotFound)
		return
	}
	s.pages.serve(w, r, topicPrompt(id))
}
