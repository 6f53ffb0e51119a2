package main

import (
	"io"
	"testing"
	"time"

	"github.com/ct-dev/ct/coord"
)

// --message-retention: default 24h, CT_MESSAGE_RETENTION, the flag over
// the env, and a non-positive value refused.
func TestMessageRetentionSetting(t *testing.T) {
	env := func(v string) func(string) string { return oneEnv("CT_MESSAGE_RETENTION", v) }
	for _, tc := range []struct {
		args []string
		env  string
		want time.Duration
	}{
		{nil, "", coord.DefaultMessageRetention},
		{nil, "2h", 2 * time.Hour},
		{[]string{"--message-retention", "90m"}, "2h", 90 * time.Minute},
	} {
		c, err := parseServe(tc.args, env(tc.env), io.Discard, io.Discard)
		if err != nil || c.Outbound.Coord.MessageRetention != tc.want {
			t.Errorf("%v env %q: %v %v, want %v", tc.args, tc.env, c.Outbound.Coord.MessageRetention, err, tc.want)
		}
	}
	for _, bad := range [][]string{{"--message-retention", "0s"}, {"--message-retention", "-1h"}} {
		if _, err := parseServe(bad, env(""), io.Discard, io.Discard); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
	if _, err := parseServe(nil, env("soon"), io.Discard, io.Discard); err == nil {
		t.Error("CT_MESSAGE_RETENTION=soon accepted")
	}
}

// --audit-batch-wait: default 200ms, CT_AUDIT_BATCH_WAIT (0 = commit every
// entry at once), the flag over the env, and values past 0-1s refused.
func TestAuditBatchWaitSetting(t *testing.T) {
	env := func(v string) func(string) string { return oneEnv("CT_AUDIT_BATCH_WAIT", v) }
	for _, tc := range []struct {
		args []string
		env  string
		want time.Duration
	}{
		{nil, "", 200 * time.Millisecond},
		{nil, "0", 0},
		{[]string{"--audit-batch-wait", "50ms"}, "1s", 50 * time.Millisecond},
	} {
		c, err := parseServe(tc.args, env(tc.env), io.Discard, io.Discard)
		if err != nil || c.Outbound.AuditBatchWait != tc.want {
			t.Errorf("%v env %q: %v %v, want %v", tc.args, tc.env, c.Outbound.AuditBatchWait, err, tc.want)
		}
	}
	for _, bad := range [][]string{{"--audit-batch-wait", "2s"}, {"--audit-batch-wait", "-1ms"}} {
		if _, err := parseServe(bad, env(""), io.Discard, io.Discard); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
	if _, err := parseServe(nil, env("soon"), io.Discard, io.Discard); err == nil {
		t.Error("CT_AUDIT_BATCH_WAIT=soon accepted")
	}
}

// oneEnv is an environment holding only key=v.
func oneEnv(key, v string) func(string) string {
	return func(k string) string {
		if k == key {
			return v
		}
		return ""
	}
}
