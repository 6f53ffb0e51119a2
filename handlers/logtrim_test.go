package handlers

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/ct-dev/ct/auth"
	"github.com/ct-dev/ct/db"
)

// Issue 13 finding 6: a log bounded by --max-session-log says so, in the
// session's record and on its download, so a cut log is never taken for
// the whole session.
func TestAPISaysLogTrimmedBefore(t *testing.T) {
	f := newAuthFixture(t, fixtureOpts{})
	token, _ := f.token("admin", auth.KindAPI, auth.RoleAdmin, "")
	f.session("sess-long", "box")
	last := fillLog(t, f, "sess-long", 0, 1536, 2<<10, nil) // 3 MiB
	if _, err := f.store.TrimLong(context.Background(), db.MinSessionLog); err != nil {
		t.Fatal(err)
	}
	ss, _ := f.store.GetSession("sess-long")
	if ss.TrimmedBefore <= 1 || ss.LastSeq != last {
		t.Fatalf("record after trimming: trimmed_before %d, last_seq %d (want %d)", ss.TrimmedBefore, ss.LastSeq, last)
	}
	show := f.do(http.MethodGet, "/api/v1/sessions/sess-long", "", cred{bearer: token}, nil)
	var got struct {
		TrimmedBefore uint64 `json:"log_trimmed_before"`
	}
	if err := json.Unmarshal([]byte(show.body), &got); show.status != http.StatusOK || err != nil || got.TrimmedBefore != ss.TrimmedBefore {
		t.Fatalf("GET /api/v1/sessions/{id}: %d log_trimmed_before %d, want %d: %s", show.status, got.TrimmedBefore, ss.TrimmedBefore, show.body)
	}
	log := f.do(http.MethodGet, "/api/v1/sessions/sess-long/log", "", cred{bearer: token}, nil)
	if h := log.header.Get("X-CT-Log-Trimmed-Before"); log.status != http.StatusOK || h != strconv.FormatUint(ss.TrimmedBefore, 10) {
		t.Fatalf("log download: %d, X-CT-Log-Trimmed-Before %q, want %d", log.status, h, ss.TrimmedBefore)
	}
	if want := int(last-ss.TrimmedBefore+1) * (2 << 10); len(log.body) != want || !strings.HasSuffix(log.body, "x\r\n") {
		t.Fatalf("log download has %d bytes, want the %d kept", len(log.body), want)
	}
}
