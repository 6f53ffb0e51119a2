package handlers

import (
	"bytes"
	"net/http"
	"strings"
	"sync/atomic"

	"github.com/ct-dev/ct/db"
)

// meters counts long-lived connections as they open and close. It is fed by
// one middleware keyed on the path, so it needs nothing from the SSE or
// WebSocket code and stays right as routes are added under /events/ and /ws/.
type meters struct {
	sse     atomic.Int64 // open SSE streams (every page with live updates)
	viewers atomic.Int64 // of which, open session pages
	ws      atomic.Int64 // open WebSockets from workstations
}

// count is the middleware that keeps meters.
func (m *meters) count(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var gs []*atomic.Int64
		switch p := r.URL.Path; {
		case strings.HasPrefix(p, "/events/s/"):
			gs = []*atomic.Int64{&m.sse, &m.viewers}
		case strings.HasPrefix(p, "/events/"):
			gs = []*atomic.Int64{&m.sse}
		case strings.HasPrefix(p, "/ws/"):
			gs = []*atomic.Int64{&m.ws}
		}
		for _, g := range gs {
			g.Add(1)
		}
		defer func() {
			for _, g := range gs {
				g.Add(-1)
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// Metrics returns the Prometheus endpoint. ct serve mounts it on its own
// listener (--metrics-addr), never on the public one: it has no login yet.
//
// It writes the text exposition format itself (metrics_text.go) rather than
// through the Prometheus client library: that library's package init (with
// protobuf's and procfs's) cost every ct process ~1 ms at start, `ct hook`
// included, for a dozen numbers only the hub reports (BENCHMARKS.md,
// "Performance (issue 17)").
func (s *Server) Metrics() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var m expo
		s.hubMetrics(&m)
		runtimeMetrics(&m)
		processMetrics(&m)
		w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
		_, _ = w.Write(m.b.Bytes())
	})
}

// hubMetrics writes ct's numbers, read once per scrape: the store's counters
// are kept by its writes and the live ones are in memory, so a scrape is
// cheap. A number that cannot be read is left out (and logged); the scrape
// still gets every metric that worked.
func (s *Server) hubMetrics(m *expo) {
	m.family("ct_build_info", "gauge", "Always 1; the version label is the running ct.")
	m.sample("ct_build_info", 1, "version", s.version)
	if list, err := s.store.Sessions(); err == nil {
		byStatus := map[string]int{db.StatusLive: 0, db.StatusOffline: 0, db.StatusEnded: 0}
		for _, ss := range list {
			byStatus[ss.Status]++
		}
		m.family("ct_sessions", "gauge", "Sessions in the store by status (live, offline, ended).")
		for _, st := range []string{db.StatusLive, db.StatusOffline, db.StatusEnded} {
			m.sample("ct_sessions", float64(byStatus[st]), "status", st)
		}
	} else {
		s.log.Warn("metrics", "metric", "ct_sessions", "error", err)
	}
	online, _ := s.hub.Counts()
	m.gauge("ct_nodes_online", "Workstations with at least one connected ct wrap.", float64(online))
	m.gauge("ct_session_viewers", "Open session pages (one per browser tab watching a session).", float64(s.meters.viewers.Load()))
	m.gauge("ct_sse_clients", "Open server-sent-event streams (every page with live updates).", float64(s.meters.sse.Load()))
	m.gauge("ct_ws_connections", "Open WebSockets from workstations (ct wrap).", float64(s.meters.ws.Load()))
	if u, err := s.store.Usage(); err == nil {
		m.gauge("ct_events_stored", "Events held in the session logs.", float64(u.Events))
		m.gauge("ct_event_bytes_stored", "Bytes of the events held in the session logs.", float64(u.Bytes))
	} else {
		s.log.Warn("metrics", "metric", "ct_events_stored", "error", err)
	}
	sp := s.store.Space()
	m.gauge("ct_store_file_bytes", "Size of the store file on disk.", float64(sp.File))
	m.gauge("ct_store_free_bytes", "Bytes of free pages in the store file, reused by later writes; ct compact gives them back.", float64(sp.Free))
	health := s.hub.StoreHealth()
	failing := 0.0
	if health.Err != nil {
		failing = 1
	}
	m.gauge("ct_store_write_failing", "1 while the hub cannot write its store (a full or failing disk): nothing new is durable; 0 when writes work.", failing)
	m.counter("ct_store_write_failures_total", "Failed attempts to write received events to the store since ct serve started (each is retried).", float64(health.Failures))
	// One scan of the prompts bucket per scrape (prompts are few: one per
	// tool use that needed a person).
	var pending, decided float64
	if ps, err := s.store.Prompts(db.PromptFilter{}); err == nil {
		for _, p := range ps {
			switch p.State {
			case db.PromptPending:
				pending++
			case db.PromptAllowed, db.PromptDenied:
				decided++
			}
		}
	}
	m.gauge("ct_approvals_pending", "Tool approvals waiting for an answer.", pending)
	m.counter("ct_approvals_decided_total", "Tool approvals answered from the hub (approved or denied) since the store was created.", decided)
	// The audit log's newest entry: a scraper that records it can later
	// show the log was truncated (ct audit verify --head SEQ:HASH).
	m.gauge("ct_audit_head_seq", "Sequence number of the newest audit log entry.", float64(s.auditLog.Head().Seq))
}

// expo is a scrape being written in the Prometheus text format, version
// 0.0.4: a HELP and TYPE line per family, then its samples.
type expo struct{ b bytes.Buffer }

// family starts a metric family; help texts are ct's own constants (no
// backslash or newline to escape).
func (m *expo) family(name, typ, help string) {
	m.b.WriteString("# HELP " + name + " " + help + "\n")
	m.b.WriteString("# TYPE " + name + " " + typ + "\n")
}

// sample writes one sample; labels are name, value pairs.
func (m *expo) sample(name string, v float64, labels ...string) {
	m.b.WriteString(name)
	for i := 0; i+1 < len(labels); i += 2 {
		sep := ","
		if i == 0 {
			sep = "{"
		}
		m.b.WriteString(sep + labels[i] + `="` + labelEscaper.Replace(labels[i+1]) + `"`)
	}
	if len(labels) > 0 {
		m.b.WriteByte('}')
	}
	m.b.WriteByte(' ')
	m.b.WriteString(formatSample(v))
	m.b.WriteByte('\n')
}

func (m *expo) gauge(name, help string, v float64) {
	m.family(name, "gauge", help)
	m.sample(name, v)
}

func (m *expo) counter(name, help string, v float64) {
	m.family(name, "counter", help)
	m.sample(name, v)
}
