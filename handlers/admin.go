package handlers

import (
	"crypto/sha256"
	"crypto/subtle"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// handleAdminBackup streams a consistent copy of the whole store
// (GET /api/v1/admin/backup); `ct backup` is its client. Until people log in
// it is guarded by one admin token, and is off when none is configured.
func (s *Server) handleAdminBackup(w http.ResponseWriter, r *http.Request) error {
	if s.adminToken == "" {
		return errorf(http.StatusForbidden, "backups over HTTP are off: start ct serve with CT_ADMIN_TOKEN set to a long random secret (or --admin-token), then run ct backup --hub URL --token SECRET > ct-backup.db")
	}
	if !tokenMatches(r.Header.Get("Authorization"), s.adminToken) {
		w.Header().Set("WWW-Authenticate", `Bearer realm="ct admin"`)
		return errorf(http.StatusUnauthorized, "wrong or missing admin token: send the hub's CT_ADMIN_TOKEN as Authorization: Bearer TOKEN (ct backup --token does)")
	}
	start := time.Now()
	started := false
	n, err := s.store.Backup(func(size int64) io.Writer {
		h := w.Header()
		h.Set("Content-Type", "application/octet-stream")
		h.Set("Content-Length", strconv.FormatInt(size, 10))
		h.Set("Content-Disposition", `attachment; filename="ct-backup-`+start.UTC().Format("20060102T150405Z")+`.db"`)
		h.Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusOK)
		started = true
		return w
	})
	if err != nil && !started {
		return err
	}
	if err != nil {
		// The status is sent; the client sees fewer bytes than Content-Length.
		s.log.Warn("backup cut short", "bytes", n, "remote", r.RemoteAddr, "error", err)
		return nil
	}
	s.log.Info("backup served", "bytes", n, "remote", r.RemoteAddr, "duration_ms", time.Since(start).Milliseconds())
	return nil
}

// tokenMatches compares a Bearer header with the token in constant time
// (hashing first so the comparison does not leak the token's length).
func tokenMatches(header, token string) bool {
	got, ok := strings.CutPrefix(header, "Bearer ")
	if !ok {
		return false
	}
	a, b := sha256.Sum256([]byte(strings.TrimSpace(got))), sha256.Sum256([]byte(token))
	return subtle.ConstantTimeCompare(a[:], b[:]) == 1
}
