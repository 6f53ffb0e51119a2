package handlers

import (
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ct-dev/ct/audit"
	"github.com/ct-dev/ct/auth"
)

// TestAuditReadersSeeWaitingBatch: entries still waiting for their batch's
// commit (ct serve's --audit-batch-wait, issue 17) are on the audit page
// and in a backup taken right after they were recorded.
func TestAuditReadersSeeWaitingBatch(t *testing.T) {
	var l *audit.Log
	f := newAuthFixture(t, fixtureOpts{deps: func(d *Deps) {
		l = audit.NewWith(d.Store, slog.New(slog.DiscardHandler), audit.Options{BatchWait: time.Minute})
		t.Cleanup(l.Close)
		d.Audit = l
	}})
	token, _ := f.token("admin", auth.KindAPI, auth.RoleAdmin, "")
	l.Record("alice", "input", "sess-waiting 1 bytes", "127.0.0.1")
	page := f.do(http.MethodGet, "/admin/audit", "", cred{bearer: token}, nil)
	if page.status != http.StatusOK || !strings.Contains(page.body, "sess-waiting 1 bytes") {
		t.Fatalf("audit page (%d) lacks the entry recorded just before it was asked for", page.status)
	}
	l.Record("alice", "input", "sess-waiting 2 bytes", "127.0.0.1")
	res := f.do(http.MethodGet, "/api/v1/admin/backup", "", cred{bearer: token}, nil)
	if res.status != http.StatusOK {
		t.Fatalf("backup: %d %s", res.status, res.body)
	}
	entries, err := openBackup(t, res.body).AuditEntries(10, 0)
	if err != nil || len(entries) == 0 || entries[0].Subject != "sess-waiting 2 bytes" {
		t.Fatalf("the backup's newest audit entry: %+v (%v); want the one recorded just before", entries, err)
	}
}
