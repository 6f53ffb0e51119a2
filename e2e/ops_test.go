package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ct-dev/ct/db"
	"github.com/ct-dev/ct/wire"
)

// Operations: ct healthcheck, ct backup/restore, retention, /metrics and
// store upgrades, against real ct serve processes.

// opsRun runs ct with args and returns stdout, stderr and the exit code.
func opsRun(t *testing.T, env []string, stdin io.Reader, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command(Binary(t), args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdin = stdin
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if _, ok := err.(*exec.ExitError); err != nil && !ok {
		t.Fatalf("ct %v: %v", args, err)
	}
	return out.String(), errb.String(), cmd.ProcessState.ExitCode()
}

func TestHealthcheck(t *testing.T) {
	h := StartHub(t, t.TempDir(), "127.0.0.1:0")
	if out, errs, code := opsRun(t, nil, nil, "healthcheck", "--addr", h.URL); code != 0 || !strings.Contains(out, "ok") {
		t.Fatalf("live hub: exit %d, %q %q", code, out, errs)
	}
	// CT_ADDR in ct serve's own form, as in the container.
	_, port, _ := net.SplitHostPort(h.Addr)
	if out, errs, code := opsRun(t, []string{"CT_ADDR=0.0.0.0:" + port}, nil, "healthcheck"); code != 0 {
		t.Fatalf("live hub via CT_ADDR: exit %d, %q %q", code, out, errs)
	}

	// Nothing listening.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := ln.Addr().String()
	ln.Close()
	if _, errs, code := opsRun(t, nil, nil, "healthcheck", "--addr", dead); code != 1 || !strings.Contains(errs, "not healthy") || !strings.Contains(errs, "refused") {
		t.Fatalf("dead hub: exit %d, %q", code, errs)
	}
	// A hub that was stopped.
	h.Stop(t)
	if _, errs, code := opsRun(t, nil, nil, "healthcheck", "--addr", h.URL); code != 1 || !strings.Contains(errs, "not healthy") {
		t.Fatalf("stopped hub: exit %d, %q", code, errs)
	}
	// Accepts but never answers.
	hang, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer hang.Close()
	go func() {
		for {
			c, err := hang.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	if _, errs, code := opsRun(t, nil, nil, "healthcheck", "--addr", hang.Addr().String(), "--timeout", "300ms"); code != 1 || !strings.Contains(errs, "no answer within 300ms") {
		t.Fatalf("hanging hub: exit %d, %q", code, errs)
	}
	// Answers, but not 200.
	sick := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "store is gone", http.StatusServiceUnavailable)
	}))
	defer sick.Close()
	if _, errs, code := opsRun(t, nil, nil, "healthcheck", "--addr", sick.URL); code != 1 || !strings.Contains(errs, "503") {
		t.Fatalf("unhealthy hub: exit %d, %q", code, errs)
	}
}

// opsEndedSession runs a short program under ct wrap and waits until the hub
// has it ended with its whole output.
func opsEndedSession(t *testing.T, h *Hub, node, script string) APISession {
	t.Helper()
	w := StartWrap(t, nil, "--hub", h.URL, "--name", node, "--", "bash", "-c", script)
	s := SessionFor(t, h.URL, node)
	w.Wait(t, 15*time.Second)
	WaitFor(t, 10*time.Second, "session of "+node+" ended with its output", func() bool {
		for _, x := range Sessions(h.URL) {
			if x.ID == s.ID && x.Status == "ended" {
				return Get(h.URL+"/api/v1/sessions/"+s.ID+"/log") == w.Stdout.String()
			}
		}
		return false
	})
	return s
}

// opsSnapshot is what a person can read from a hub: the session list as
// JSON, and every session's log.
func opsSnapshot(t *testing.T, hubURL string) (string, map[string]string) {
	t.Helper()
	list := Get(hubURL + "/api/v1/sessions")
	logs := map[string]string{}
	for _, s := range Sessions(hubURL) {
		logs[s.ID] = Get(hubURL + "/api/v1/sessions/" + s.ID + "/log")
	}
	return list, logs
}

// opsViewerToken adds a viewer to the hub (as its admin, through the People
// page's form) and returns an API token that viewer made with their password.
func opsViewerToken(t *testing.T, h *Hub) string {
	t.Helper()
	const name, password = "watcher", "watcher-password-1"
	form := url.Values{"name": {name}, "role": {"viewer"}, "password": {password}, "grants": {"*"}}
	req, _ := http.NewRequest(http.MethodPost, h.URL+"/admin/users", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", "Bearer "+h.Token)
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("add a viewer: %s %s", resp.Status, body)
	}
	return MintToken(t, h.URL, name, password, map[string]string{"name": "watcher-api", "kind": "api"})
}

// opsBackupStatus asks the backup endpoint with token (none when empty) and
// returns the status and the body of a refusal.
func opsBackupStatus(t *testing.T, hubURL, token string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, hubURL+"/api/v1/admin/backup", nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusOK {
		_, _ = io.Copy(io.Discard, resp.Body)
		return resp.StatusCode, ""
	}
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

func TestBackupRestoreRoundTrip(t *testing.T) {
	h := StartHub(t, t.TempDir(), "127.0.0.1:0") // CT_ADMIN_PASSWORD; h.Token is admin's API token
	opsEndedSession(t, h, "box1", `for i in $(seq 1 300); do echo "box1 line $i"; done; exit 3`)
	opsEndedSession(t, h, "box2", `printf '\033[1mbold\033[0m and a wide 字\n'; exit 0`)
	viewer := opsViewerToken(t, h)
	wantList, wantLogs := opsSnapshot(t, h.URL)
	if len(wantLogs) != 2 || !strings.Contains(wantLogs[SessionFor(t, h.URL, "box1").ID], "box1 line 300") {
		t.Fatalf("hub before backup: %s", wantList)
	}

	// Only an admin's API token opens the endpoint.
	unknown := "cta_0123456789abcdef_" + strings.Repeat("x", 43)
	for _, c := range []struct {
		what, token string
		want        int
	}{
		{"no token", "", http.StatusUnauthorized},
		{"an unknown token", unknown, http.StatusUnauthorized},
		{"a viewer's API token", viewer, http.StatusForbidden},
		{"a machine token", MachineToken(t, h.URL, "box1"), http.StatusForbidden},
	} {
		if code, body := opsBackupStatus(t, h.URL, c.token); code != c.want {
			t.Fatalf("backup with %s: %d %s, want %d", c.what, code, body, c.want)
		}
	}
	// ct backup says how to get the right token.
	out := filepath.Join(t.TempDir(), "x.db")
	if _, errs, code := opsRun(t, []string{"CT_TOKEN="}, nil, "backup", "--hub", h.URL, "-o", out); code != 2 || !strings.Contains(errs, "ct token create --hub URL --api") {
		t.Fatalf("ct backup without a token: exit %d %q", code, errs)
	}
	if _, errs, code := opsRun(t, []string{"CT_TOKEN=" + viewer}, nil, "backup", "--hub", h.URL, "-o", out); code != 1 || !strings.Contains(errs, "403") || !strings.Contains(errs, "admin's API token") {
		t.Fatalf("ct backup with a viewer's token: exit %d %q", code, errs)
	}
	if _, errs, code := opsRun(t, nil, nil, "backup", "--hub", h.URL, "--token", unknown, "-o", out); code != 1 || !strings.Contains(errs, "401") {
		t.Fatalf("ct backup with an unknown token: exit %d %q", code, errs)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Fatalf("a refused backup left %s: %v", out, err)
	}

	// ct backup > file with the admin's token in CT_TOKEN, then ct restore
	// into a fresh directory.
	file := filepath.Join(t.TempDir(), "ct-backup.db")
	f, err := os.Create(file)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(Binary(t), "backup", "--hub", h.URL)
	cmd.Env = append(os.Environ(), "CT_TOKEN="+h.Token)
	cmd.Stdout = f
	var errb bytes.Buffer
	cmd.Stderr = &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("ct backup: %v %s", err, errb.String())
	}
	f.Close()
	if !strings.Contains(errb.String(), "2 sessions") {
		t.Fatalf("ct backup summary: %q", errb.String())
	}
	data := filepath.Join(t.TempDir(), "restored")
	if out, errs, code := opsRun(t, nil, nil, "restore", "--data", data, file); code != 0 || !strings.Contains(out, "2 sessions") {
		t.Fatalf("ct restore: exit %d %q %q", code, out, errs)
	}
	r := StartHub(t, data, "127.0.0.1:0")
	gotList, gotLogs := opsSnapshot(t, r.URL)
	if gotList != wantList {
		t.Fatalf("sessions differ after restore:\nwant %s\ngot  %s", wantList, gotList)
	}
	for id, want := range wantLogs {
		if gotLogs[id] != want {
			t.Fatalf("log of %s differs after restore: %d bytes, want %d", id, len(gotLogs[id]), len(want))
		}
	}
	// Accounts and tokens are in the store, so they come back with it.
	if code, body := opsBackupStatus(t, r.URL, h.Token); code != http.StatusOK {
		t.Fatalf("the backed-up admin token on the restored hub: %d %s", code, body)
	}
	if code, body := opsBackupStatus(t, r.URL, viewer); code != http.StatusForbidden {
		t.Fatalf("the backed-up viewer token on the restored hub: %d %s", code, body)
	}

	// Restoring or compacting under a running hub is refused.
	if _, errs, code := opsRun(t, nil, nil, "restore", "--data", data, "--force", file); code != 1 || !strings.Contains(errs, "stop the hub first") {
		t.Fatalf("restore over a running hub: exit %d %q", code, errs)
	}
	if _, errs, code := opsRun(t, nil, nil, "compact", "--data", data); code != 1 || !strings.Contains(errs, "stop the hub first") {
		t.Fatalf("compact under a running hub: exit %d %q", code, errs)
	}
}

// opsStore writes sessions straight into a stopped hub's store.
func opsStore(t *testing.T, dir string, fill func(s *db.Store)) {
	t.Helper()
	s, err := db.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	fill(s)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
}

// opsOldSession stores a session of n output lines that started at start
// and, unless end is zero, ended then.
func opsOldSession(t *testing.T, s *db.Store, id string, start time.Time, n int, end time.Time) {
	t.Helper()
	if _, err := s.UpsertSession(db.Session{ID: id, Node: "old", Command: "bash", Cwd: "/", Cols: 80, Rows: 24, Status: db.StatusLive, StartedAt: start}); err != nil {
		t.Fatal(err)
	}
	var evs []wire.Envelope
	for i := 1; i <= n; i++ {
		evs = append(evs, wire.Envelope{V: wire.Version, Type: wire.TypePtyOutput, SessionID: id, Seq: uint64(i), TS: start, Data: []byte(fmt.Sprintf("%s %d\r\n", id, i))})
	}
	if !end.IsZero() {
		p, _ := json.Marshal(wire.SessionEnd{EndedAt: end})
		evs = append(evs, wire.Envelope{V: wire.Version, Type: wire.TypeSessionEnd, SessionID: id, Seq: uint64(n + 1), TS: end, Payload: p})
	}
	if _, err := s.AppendEvents(evs); err != nil {
		t.Fatal(err)
	}
}

// metricsURL waits for the hub to log its metrics endpoint.
func metricsURL(t *testing.T, h *Hub) string {
	t.Helper()
	re := regexp.MustCompile(`endpoint=(http://\S+/metrics)`)
	var u string
	WaitFor(t, 10*time.Second, "metrics endpoint in the hub's log", func() bool {
		m := re.FindStringSubmatch(h.Stderr.String())
		if m != nil {
			u = m[1]
		}
		return m != nil
	})
	return u
}

// metric returns the value of one series ("name" or `name{label="v"}`), or
// -1 when it is missing.
func metric(url, series string) float64 {
	sc := bufio.NewScanner(strings.NewReader(Get(url)))
	for sc.Scan() {
		if name, v, ok := strings.Cut(sc.Text(), " "); ok && name == series {
			f, err := strconv.ParseFloat(v, 64)
			if err == nil {
				return f
			}
		}
	}
	return -1
}

// Retention trims what ended long ago while the hub serves a live session
// that streams throughout; it touches nothing else.
func TestRetentionWhileServing(t *testing.T) {
	dir := t.TempDir()
	now := time.Now()
	opsStore(t, dir, func(s *db.Store) {
		opsOldSession(t, s, "old-ended", now.Add(-50*24*time.Hour), 20000, now.Add(-40*24*time.Hour)) // about 20 transactions
		opsOldSession(t, s, "recent-ended", now.Add(-2*24*time.Hour), 50, now.Add(-24*time.Hour))
		opsOldSession(t, s, "old-offline", now.Add(-90*24*time.Hour), 50, time.Time{})
	})
	h := StartHub(t, dir, "127.0.0.1:0", "--retain", "30d", "--metrics-addr", "127.0.0.1:0")
	murl := metricsURL(t, h)
	w := StartWrap(t, nil, "--hub", h.URL, "--name", "busy", "--", "bash", "-c",
		`for i in $(seq 1 400); do echo "busy line $i"; done; read x; echo "bye $x"`)
	busy := SessionFor(t, h.URL, "busy")

	WaitFor(t, 20*time.Second, "old-ended trimmed", func() bool {
		return strings.Contains(h.Stderr.String(), "retention trimmed") && Get(h.URL+"/api/v1/sessions/old-ended/log") == ""
	})
	if s, ok := opsSession(h.URL, "old-ended"); !ok || s.Status != "ended" {
		t.Fatalf("the trimmed session's record must stay: %+v", s)
	}
	for id, n := range map[string]int{"recent-ended": 50, "old-offline": 50} {
		if got := strings.Count(Get(h.URL+"/api/v1/sessions/"+id+"/log"), "\n"); got != n {
			t.Fatalf("%s: %d lines after retention, want %d", id, got, n)
		}
	}
	if code, body := PostJSON(h.URL+"/api/v1/sessions/"+busy.ID+"/input", map[string]any{"text": "now\r"}); code != 200 {
		t.Fatalf("input while retention ran: %d %s", code, body)
	}
	if code := w.Wait(t, 15*time.Second); code != 0 {
		t.Fatalf("busy session exit %d", code)
	}
	WaitFor(t, 10*time.Second, "busy log complete", func() bool {
		return Get(h.URL+"/api/v1/sessions/"+busy.ID+"/log") == w.Stdout.String()
	})
	if !strings.Contains(w.Stdout.String(), "busy line 400") || !strings.Contains(w.Stdout.String(), "bye now") {
		t.Fatalf("busy session output: %q", w.Stdout.String())
	}
	// events_stored counts what is left: 51+50 old events plus the live ones.
	ev := metric(murl, "ct_events_stored")
	if ev < 101 || ev > 101+1000 {
		t.Fatalf("ct_events_stored %v after trimming 20001 events", ev)
	}

	h.Stop(t)
	s, err := db.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for id, want := range map[string]bool{"old-ended": true, "recent-ended": false, "old-offline": false, busy.ID: false} {
		ss, err := s.GetSession(id)
		if err != nil || ss.LogTrimmed != want {
			t.Fatalf("%s: log_trimmed %v (%v), want %v", id, ss.LogTrimmed, err, want)
		}
	}
}

func opsSession(hubURL, id string) (APISession, bool) {
	for _, s := range Sessions(hubURL) {
		if s.ID == id {
			return s, true
		}
	}
	return APISession{}, false
}

func TestMetrics(t *testing.T) {
	h := StartHub(t, t.TempDir(), "127.0.0.1:0", "--metrics-addr", "127.0.0.1:0")
	murl := metricsURL(t, h)
	if resp, err := http.Get(h.URL + "/metrics"); err != nil || resp.StatusCode != http.StatusNotFound {
		t.Fatalf("/metrics must not be on the main listener: %v %v", resp.Status, err)
	}
	w := StartWrap(t, nil, "--hub", h.URL, "--name", "m1", "--", "bash", "-c", `echo metered; read x`)
	s := SessionFor(t, h.URL, "m1")
	waitFor := func(series string, want float64) {
		t.Helper()
		WaitFor(t, 10*time.Second, fmt.Sprintf("%s = %v", series, want), func() bool { return metric(murl, series) == want })
	}
	waitFor(`ct_sessions{status="live"}`, 1)
	waitFor("ct_nodes_online", 1)
	waitFor("ct_ws_connections", 1)

	// One browser tab on the session page: an SSE stream.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, h.URL+"/events/s/"+s.ID+"?v=opsmetrics1", nil)
	req.Header.Set("Authorization", "Bearer "+h.Token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("open a session stream: %v %v", err, resp)
	}
	go io.Copy(io.Discard, resp.Body)
	waitFor("ct_session_viewers", 1)
	waitFor("ct_sse_clients", 1)

	// The output is durable once the hub's log holds it.
	WaitFor(t, 10*time.Second, "output stored", func() bool {
		return strings.Contains(Get(h.URL+"/api/v1/sessions/"+s.ID+"/log"), "metered")
	})
	for _, series := range []string{"ct_events_stored", "ct_event_bytes_stored", "ct_store_file_bytes"} {
		if v := metric(murl, series); v <= 0 {
			t.Errorf("%s = %v, want > 0", series, v)
		}
	}
	for _, series := range []string{"ct_approvals_pending", "ct_approvals_decided_total", "ct_store_free_bytes", `ct_sessions{status="ended"}`} {
		if v := metric(murl, series); v < 0 {
			t.Errorf("%s missing", series)
		}
	}
	for _, series := range []string{"go_goroutines", "process_resident_memory_bytes", `ct_build_info{version="dev"}`} {
		if v := metric(murl, series); v <= 0 {
			t.Errorf("%s = %v, want > 0", series, v)
		}
	}

	cancel()
	waitFor("ct_sse_clients", 0)
	waitFor("ct_session_viewers", 0)
	if code, body := PostJSON(h.URL+"/api/v1/sessions/"+s.ID+"/input", map[string]any{"text": "x\r"}); code != 200 {
		t.Fatalf("input: %d %s", code, body)
	}
	w.Wait(t, 15*time.Second)
	waitFor(`ct_sessions{status="ended"}`, 1)
	waitFor(`ct_sessions{status="live"}`, 0)
	waitFor("ct_ws_connections", 0)
}

// A hub started on a store written by the schema-1 ct upgrades it and serves
// everything in it.
func TestServeUpgradesV1Store(t *testing.T) {
	dir := t.TempDir()
	src, err := os.ReadFile(filepath.Join(RepoRoot(t), "db", "testdata", "v1.db"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, db.FileName), src, 0o600); err != nil {
		t.Fatal(err)
	}
	h := StartHub(t, dir, "127.0.0.1:0")
	if !strings.Contains(h.Stderr.String(), "store upgraded") || !strings.Contains(h.Stderr.String(), "schema 1 -> 2") {
		t.Fatalf("no upgrade in the log:\n%s", h.Stderr.String())
	}
	ended, ok := opsSession(h.URL, "s-ended")
	if !ok || ended.Status != "ended" || ended.ExitCode == nil || *ended.ExitCode != 0 {
		t.Fatalf("s-ended after the upgrade: %+v", ended)
	}
	log := Get(h.URL + "/api/v1/sessions/s-ended/log")
	if !strings.HasPrefix(log, "line 01 of the test run\r\n") || !strings.HasSuffix(log, "line 40 of the test run\r\nok\r\n") {
		t.Fatalf("s-ended log after the upgrade: %q", log)
	}
	if off, ok := opsSession(h.URL, "s-offline"); !ok || off.Status != "offline" || off.Dropped != 4096 {
		t.Fatalf("s-offline after the upgrade: %+v", off)
	}
	// A second start finds nothing to upgrade.
	h.Stop(t)
	h2 := StartHub(t, dir, "127.0.0.1:0")
	if strings.Contains(h2.Stderr.String(), "store upgraded") {
		t.Fatalf("upgraded twice:\n%s", h2.Stderr.String())
	}
}
