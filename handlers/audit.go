package handlers

import (
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/ct-dev/ct/db"
	"github.com/ct-dev/ct/views"
)

// auditQueue bounds audit entries waiting to be written.
const auditQueue = 4096

// auditor appends audit entries from one goroutine, batching those that
// arrive together into one transaction, so auditing every keystroke sent to
// a session does not put an fsync on the input path.
type auditor struct {
	store *db.Store
	log   *slog.Logger
	in    chan db.AuditEntry
	done  chan struct{}
}

func newAuditor(store *db.Store, log *slog.Logger) *auditor {
	a := &auditor{store: store, log: log, in: make(chan db.AuditEntry, auditQueue), done: make(chan struct{})}
	go a.run()
	return a
}

func (a *auditor) run() {
	defer close(a.done)
	for e := range a.in {
		batch := []db.AuditEntry{e}
		for more := true; more && len(batch) < 512; {
			select {
			case e, ok := <-a.in:
				if !ok {
					more = false
					break
				}
				batch = append(batch, e)
			default:
				more = false
			}
		}
		if err := a.store.AppendAudit(batch...); err != nil {
			a.log.Error("audit log write failed", "entries", len(batch), "error", err)
		}
	}
}

// add queues an entry; if the queue is full it writes synchronously rather
// than drop an audit record.
func (a *auditor) add(e db.AuditEntry) {
	select {
	case a.in <- e:
	default:
		if err := a.store.AppendAudit(e); err != nil {
			a.log.Error("audit log write failed", "error", err)
		}
	}
}

// Record implements hub.Auditor: what the hub decides on its own (the
// wheel's hand-overs) goes into the audit log like a person's action.
func (a *auditor) Record(actor, action, subject string) {
	a.add(db.AuditEntry{Time: time.Now(), Actor: actor, Action: action, Subject: subject})
}

// close flushes queued entries (at shutdown, before the store closes).
func (a *auditor) close() {
	close(a.in)
	<-a.done
}

// audit records an action by the request's principal.
func (s *Server) audit(r *http.Request, action, subject string) {
	s.auditAs(r, principal(r).User, action, subject)
}

// auditAs records an action by actor (for logins, before a principal exists).
func (s *Server) auditAs(r *http.Request, actor, action, subject string) {
	s.auditor.add(db.AuditEntry{Time: time.Now(), Actor: actor, Action: action, Subject: subject, Addr: clientAddr(r)})
}

func (s *Server) handleAuditShow(w http.ResponseWriter, r *http.Request) error {
	before, _ := strconv.ParseUint(r.URL.Query().Get("before"), 10, 64)
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
