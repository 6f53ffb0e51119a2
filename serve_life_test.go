package main

import (
	"errors"
	"io"
	"testing"
	"time"
)

// --stop-grace and --max-share-age: defaults, the environment, the flag
// over the environment, and values that cannot work refused.
func TestServeLifeFlags(t *testing.T) {
	env := map[string]string{}
	getenv := func(k string) string { return env[k] }
	c, err := parseServe(nil, getenv, io.Discard, io.Discard)
	if err != nil || c.Life.StopGrace != 10*time.Second || c.Life.MaxShareAge != 7*24*time.Hour {
		t.Fatalf("defaults = %+v, %v; want 10s and 168h", c.Life, err)
	}
	env["CT_STOP_GRACE"], env["CT_MAX_SHARE_AGE"] = "3s", "48h"
	if c, err = parseServe([]string{"--stop-grace", "2s"}, getenv, io.Discard, io.Discard); err != nil || c.Life.StopGrace != 2*time.Second || c.Life.MaxShareAge != 48*time.Hour {
		t.Fatalf("flag and env = %+v, %v; want 2s (flag) and 48h (env)", c.Life, err)
	}
	for _, bad := range [][]string{{"--stop-grace", "10ms"}, {"--stop-grace", "1h"}, {"--max-share-age", "10m"}} {
		if _, err := parseServe(bad, getenv, io.Discard, io.Discard); !errors.Is(err, errUsage) {
			t.Errorf("%v: err = %v, want a usage error", bad, err)
		}
	}
}
