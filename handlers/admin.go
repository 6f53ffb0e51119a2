package handlers

import (
	"crypto/sha256"
	"crypto/subtle"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/ct-dev/ct/db"
)

// AuditHeadHeader carries a backup's audit head, signed (SEQ:HASH:MAC):
// `ct audit verify --head` checks a restored store still reaches it.
const AuditHeadHeader = "X-CT-Audit-Head"

// handleAdminBackup streams a consistent copy of the whole store
// (GET /api/v1/admin/backup); `ct backup` is its client, with an admin's
// API token (the route is admin-only). The audit head the copy holds goes
// in a header, signed with the audit key (which the copy does not hold).
func (s *Server) handleAdminBackup(w http.ResponseWriter, r *http.Request) error {
	start := time.Now()
	started := false
	s.auditLog.Flush() // the copy holds every entry recorded before it was asked for
	n, err := s.store.Backup(func(size int64, head db.AuditHead) io.Writer {
		h := w.Header()
		if head.Seq > 0 {
			h.Set(AuditHeadHeader, s.auditLog.Anchor(head).String())
		}
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
