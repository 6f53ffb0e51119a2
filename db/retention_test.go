package db

import (
	"context"
	"testing"
	"time"
)

// Retention empties the logs of sessions that ended before the cutoff, in
// several small transactions, and leaves everything else alone: recent ended
// sessions, and live or offline sessions however old.
func TestTrimEndedOnlyOldEnded(t *testing.T) {
	s := opsOpen(t, t.TempDir())
	now := time.Now()
	cutoff := now.Add(-30 * 24 * time.Hour)
	const big = 2500 // more than two chunks
	opsSession(t, s, "old-ended", now.Add(-41*24*time.Hour), big, now.Add(-40*24*time.Hour))
	opsSession(t, s, "new-ended", now.Add(-2*24*time.Hour), 10, now.Add(-24*time.Hour))
	opsSession(t, s, "old-live", now.Add(-90*24*time.Hour), 10, time.Time{})
	opsSession(t, s, "old-offline", now.Add(-90*24*time.Hour), 10, time.Time{})
	if err := s.SetSessionStatus("old-offline", StatusOffline); err != nil {
		t.Fatal(err)
	}
	keep := map[string]int{}
	for _, id := range []string{"new-ended", "old-live", "old-offline"} {
		keep[id] = len(opsLog(t, s, id))
	}
	before := opsUsage(t, s)
	tx0 := opsWriteTxID(t, s)

	res, err := s.TrimEnded(context.Background(), cutoff)
	if err != nil {
		t.Fatal(err)
	}
	if res.Sessions != 1 || res.Events != big+1 {
		t.Fatalf("trim result %+v, want 1 session, %d events", res, big+1)
	}
	if txs := opsWriteTxID(t, s) - tx0; txs < 3 {
		t.Fatalf("trimmed %d events in %d write transactions; want small transactions", big+1, txs)
	}
	ss, err := s.GetSession("old-ended")
	if err != nil {
		t.Fatalf("the trimmed session's record must stay: %v", err)
	}
	if !ss.LogTrimmed || ss.Status != StatusEnded || ss.ExitCode == nil || *ss.ExitCode != 3 {
		t.Fatalf("trimmed session record %+v", ss)
	}
	if n := len(opsLog(t, s, "old-ended")); n != 0 {
		t.Fatalf("trimmed log still has %d events", n)
	}
	for id, n := range keep {
		if got := len(opsLog(t, s, id)); got != n {
			t.Fatalf("%s: %d events after trimming, want %d untouched", id, got, n)
		}
		if ss, _ := s.GetSession(id); ss.LogTrimmed {
			t.Fatalf("%s marked trimmed", id)
		}
	}
	after := opsUsage(t, s)
	if after != opsCount(t, s) || before.Events-after.Events != res.Events || before.Bytes-after.Bytes != res.Bytes {
		t.Fatalf("usage %+v -> %+v, trimmed %+v, logs hold %+v", before, after, res, opsCount(t, s))
	}

	// A second pass finds nothing to do.
	res, err = s.TrimEnded(context.Background(), cutoff)
	if err != nil || res != (TrimResult{}) {
		t.Fatalf("second pass: %+v %v", res, err)
	}
}

// A cancelled pass stops between transactions; the next one finishes.
func TestTrimEndedResumesAfterCancel(t *testing.T) {
	s := opsOpen(t, t.TempDir())
	now := time.Now()
	opsSession(t, s, "a", now.Add(-50*24*time.Hour), 20, now.Add(-40*24*time.Hour))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.TrimEnded(ctx, now); err == nil {
		t.Fatal("a cancelled pass reported success")
	}
	if ss, _ := s.GetSession("a"); ss.LogTrimmed {
		t.Fatal("a cancelled pass marked the session trimmed")
	}
	res, err := s.TrimEnded(context.Background(), now)
	if err != nil || res.Sessions != 1 {
		t.Fatalf("pass after cancel: %+v %v", res, err)
	}
}

func TestParseAge(t *testing.T) {
	for in, want := range map[string]time.Duration{
		"": 0, "off": 0, "0": 0, "30d": 30 * 24 * time.Hour, "2w": 14 * 24 * time.Hour,
		"36h": 36 * time.Hour, "1.5d": 36 * time.Hour, "90m": 90 * time.Minute,
	} {
		got, err := ParseAge(in)
		if err != nil || got != want {
			t.Errorf("ParseAge(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"30", "-1d", "d", "soon", "-5h", "0d"} {
		if _, err := ParseAge(in); err == nil {
			t.Errorf("ParseAge(%q) accepted", in)
		}
	}
}
