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
	env := func(v string) func(string) string {
		return func(k string) string {
			if k == "CT_MESSAGE_RETENTION" {
				return v
			}
			return ""
		}
	}
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
