package handlers

import (
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"

	"github.com/ct-dev/ct/db"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
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
func (s *Server) Metrics() http.Handler {
	reg := prometheus.NewRegistry()
	reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		&hubCollector{s: s},
		// The audit log's newest entry: a scraper that records it can later
		// show the log was truncated (ct audit verify --head SEQ:HASH).
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "ct_audit_head_seq",
			Help: "Sequence number of the newest audit log entry."}, func() float64 { return float64(s.auditLog.Head().Seq) }),
	)
	return promhttp.HandlerFor(reg, promhttp.HandlerOpts{
		// Errors are logged; the scrape still gets every metric that worked.
		ErrorLog:      slogPrinter{s},
		ErrorHandling: promhttp.ContinueOnError,
	})
}

type slogPrinter struct{ s *Server }

func (p slogPrinter) Println(v ...any) {
	p.s.log.Warn("metrics", "error", strings.TrimSpace(fmt.Sprintln(v...)))
}

func desc(name, help string, labels ...string) *prometheus.Desc {
	return prometheus.NewDesc("ct_"+name, help, labels, nil)
}

// hubCollector reads ct's numbers once per scrape: the store's counters are
// kept by its writes and the live ones are in memory, so a scrape is cheap.
type hubCollector struct{ s *Server }

var (
	descBuild         = desc("build_info", "Always 1; the version label is the running ct.", "version")
	descSessions      = desc("sessions", "Sessions in the store by status (live, offline, ended).", "status")
	descNodesOnline   = desc("nodes_online", "Workstations with at least one connected ct wrap.")
	descViewers       = desc("session_viewers", "Open session pages (one per browser tab watching a session).")
	descSSE           = desc("sse_clients", "Open server-sent-event streams (every page with live updates).")
	descWS            = desc("ws_connections", "Open WebSockets from workstations (ct wrap).")
	descEvents        = desc("events_stored", "Events held in the session logs.")
	descEventBytes    = desc("event_bytes_stored", "Bytes of the events held in the session logs.")
	descStoreFile     = desc("store_file_bytes", "Size of the store file on disk.")
	descStoreFree     = desc("store_free_bytes", "Bytes of free pages in the store file, reused by later writes; ct compact gives them back.")
	descApprovPending = desc("approvals_pending", "Tool approvals waiting for an answer.")
	descApprovDecided = desc("approvals_decided_total", "Tool approvals answered from the hub (approved or denied) since the store was created.")
	descStoreFailing  = desc("store_write_failing", "1 while the hub cannot write its store (a full or failing disk): nothing new is durable; 0 when writes work.")
	descStoreFailures = desc("store_write_failures_total", "Failed attempts to write received events to the store since ct serve started (each is retried).")
)

func (c *hubCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descBuild, descSessions, descNodesOnline, descViewers, descSSE, descWS,
		descEvents, descEventBytes, descStoreFile, descStoreFree, descApprovPending, descApprovDecided, descStoreFailing, descStoreFailures} {
		ch <- d
	}
}

func (c *hubCollector) Collect(ch chan<- prometheus.Metric) {
	s := c.s
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	gauge(descBuild, 1, s.version)
	byStatus := map[string]int{db.StatusLive: 0, db.StatusOffline: 0, db.StatusEnded: 0}
	if list, err := s.store.Sessions(); err == nil {
		for _, ss := range list {
			byStatus[ss.Status]++
		}
		for st, n := range byStatus {
			gauge(descSessions, float64(n), st)
		}
	} else {
		ch <- prometheus.NewInvalidMetric(descSessions, err)
	}
	online, _ := s.hub.Counts()
	gauge(descNodesOnline, float64(online))
	gauge(descViewers, float64(s.meters.viewers.Load()))
	gauge(descSSE, float64(s.meters.sse.Load()))
	gauge(descWS, float64(s.meters.ws.Load()))
	if u, err := s.store.Usage(); err == nil {
		gauge(descEvents, float64(u.Events))
		gauge(descEventBytes, float64(u.Bytes))
	} else {
		ch <- prometheus.NewInvalidMetric(descEvents, err)
	}
	sp := s.store.Space()
	gauge(descStoreFile, float64(sp.File))
	gauge(descStoreFree, float64(sp.Free))
	health := s.hub.StoreHealth()
	failing := 0.0
	if health.Err != nil {
		failing = 1
	}
	gauge(descStoreFailing, failing)
	ch <- prometheus.MustNewConstMetric(descStoreFailures, prometheus.CounterValue, float64(health.Failures))
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
	gauge(descApprovPending, pending)
	ch <- prometheus.MustNewConstMetric(descApprovDecided, prometheus.CounterValue, decided)
}
