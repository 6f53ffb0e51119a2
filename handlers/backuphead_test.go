package handlers

import (
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/ct-dev/ct/audit"
	"github.com/ct-dev/ct/auth"
	"github.com/ct-dev/ct/db"
)

// Issue 12 finding 21: a backup carries the audit head the copy holds,
// signed with the audit key (which the copy does not hold), so a restored
// store can be checked against the head it had when it was copied.
func TestBackupCarriesSignedAuditHead(t *testing.T) {
	key := []byte("0123456789abcdef0123456789abcdef")
	f := newAuthFixture(t, fixtureOpts{deps: func(d *Deps) {
		for _, subject := range []string{"p1 allow", "p2 deny", "p3 allow"} {
			if err := d.Store.AppendAudit(db.AuditEntry{Actor: "alice", Action: "prompt.decide", Subject: subject}); err != nil {
				t.Fatal(err)
			}
		}
		keyed := audit.NewWith(d.Store, slog.New(slog.DiscardHandler), audit.Options{Key: key, HeadPath: filepath.Join(t.TempDir(), audit.HeadFile)})
		t.Cleanup(keyed.Close)
		d.Audit = keyed
	}})
	token, _ := f.token("admin", auth.KindAPI, auth.RoleAdmin, "")
	res := f.do(http.MethodGet, "/api/v1/admin/backup", "", cred{bearer: token}, nil)
	if res.status != http.StatusOK {
		t.Fatalf("backup: %d %s", res.status, res.body)
	}
	a, err := audit.ParseHead(res.header.Get(AuditHeadHeader))
	if err != nil {
		t.Fatalf("backup's %s: %v", AuditHeadHeader, err)
	}
	if !a.Valid(key) {
		t.Fatalf("the backup's head %s is not signed with the audit key", a)
	}
	copied := openBackup(t, res.body)
	if got, err := copied.AuditHead(); err != nil || got != a.AuditHead || got.Seq < 3 {
		t.Fatalf("the copy's audit head %+v (%v); the header says %+v", got, err, a.AuditHead)
	}
}

// openBackup opens the store a backup response's body holds; it is closed
// at the test's end.
func openBackup(t *testing.T, body string) *db.Store {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, db.FileName), []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	copied, err := db.OpenExisting(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { copied.Close() })
	return copied
}
