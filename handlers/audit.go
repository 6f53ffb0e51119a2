package handlers

import (
	"net/http"
	"strconv"

	"github.com/ct-dev/ct/views"
)

// audit records an action by the request's principal.
func (s *Server) audit(r *http.Request, action, subject string) {
	s.auditAs(r, principal(r).User, action, subject)
}

// auditAs records an action by actor (for logins, before a principal exists).
func (s *Server) auditAs(r *http.Request, actor, action, subject string) {
	s.auditLog.Record(actor, action, subject, clientAddr(r))
}

func (s *Server) handleAuditShow(w http.ResponseWriter, r *http.Request) error {
	before, _ := strconv.ParseUint(r.URL.Query().Get("before"), 10, 64)
	s.auditLog.Flush() // a batch may still wait for company (audit.Options.BatchWait)
	entries, err := s.store.AuditEntries(200, before)
	if err != nil {
		return err
	}
	m := views.AuditPage{}
	if r.URL.Query().Get("verify") != "" {
		rep, err := s.store.VerifyAudit()
		if err != nil {
			return err
		}
		m.Verified, m.Entries, m.BrokenAt, m.Reason = true, rep.Entries, rep.BrokenAt, rep.Reason
	}
	for _, e := range entries {
		m.Rows = append(m.Rows, views.AuditRow{Seq: e.Seq, Time: e.Time.Local().Format("2006-01-02 15:04:05"), Actor: e.Actor, Action: e.Action, Subject: e.Subject, Addr: e.Addr})
	}
	if n := len(entries); n == 200 {
		m.Older = entries[n-1].Seq
	}
	return render(w, r, views.AuditView(m))
}
