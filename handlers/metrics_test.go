package handlers

import (
	"bufio"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestMetricsExposition: the hand-written /metrics (it replaced the
// Prometheus client library, whose init every ct process paid) still gives
// every documented family with its type, the Go and process numbers, and
// well-formed sample lines.
func TestMetricsExposition(t *testing.T) {
	f := newAuthFixture(t, fixtureOpts{})
	rec := httptest.NewRecorder()
	f.srv.Metrics().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/plain; version=0.0.4") {
		t.Fatalf("Content-Type %q", ct)
	}
	types := map[string]string{}
	samples := map[string]string{}
	sc := bufio.NewScanner(strings.NewReader(rec.Body.String()))
	for sc.Scan() {
		line := sc.Text()
		if rest, ok := strings.CutPrefix(line, "# TYPE "); ok {
			name, typ, _ := strings.Cut(rest, " ")
			types[name] = typ
			continue
		}
		if strings.HasPrefix(line, "#") {
			continue
		}
		series, value, ok := strings.Cut(line, " ")
		if !ok || value == "" || strings.Contains(value, " ") {
			t.Fatalf("malformed sample line %q", line)
		}
		name, _, _ := strings.Cut(series, "{")
		if types[name] == "" {
			t.Fatalf("sample %q before its TYPE line", line)
		}
		samples[series] = value
	}
	want := map[string]string{
		"ct_sessions": "gauge", "ct_nodes_online": "gauge", "ct_session_viewers": "gauge", "ct_sse_clients": "gauge",
		"ct_ws_connections": "gauge", "ct_events_stored": "gauge", "ct_event_bytes_stored": "gauge",
		"ct_store_file_bytes": "gauge", "ct_store_free_bytes": "gauge", "ct_store_write_failing": "gauge",
		"ct_store_write_failures_total": "counter", "ct_approvals_pending": "gauge",
		"ct_approvals_decided_total": "counter", "ct_build_info": "gauge", "ct_audit_head_seq": "gauge",
		"go_goroutines": "gauge", "process_resident_memory_bytes": "gauge", "process_cpu_seconds_total": "counter",
	}
	for name, typ := range want {
		if types[name] != typ {
			t.Errorf("%s: type %q, want %q", name, types[name], typ)
		}
	}
	for _, series := range []string{`ct_sessions{status="live"}`, `ct_sessions{status="ended"}`, "go_goroutines", "ct_store_file_bytes"} {
		if samples[series] == "" {
			t.Errorf("no sample %s", series)
		}
	}
	if v := samples["go_goroutines"]; v == "0" {
		t.Errorf("go_goroutines = %s", v)
	}
}
