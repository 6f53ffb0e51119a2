package main

import (
	"strconv"
	"testing"
	"time"
)

func TestNewestStamp(t *testing.T) {
	data := []byte(`<div id="r3">T1700000000000000002 5 abc</div><div>T1700000000000000009 6</div>T12 Tx`)
	if got := newestStamp(data); got != 1700000000000000009 {
		t.Fatalf("newestStamp = %d", got)
	}
	if got := newestStamp([]byte("no stamps here T123")); got != 0 {
		t.Fatalf("newestStamp without stamps = %d", got)
	}
}

func TestTotalLines(t *testing.T) {
	if got := totalLines(100_000, time.Minute, 100); got != 60_000 {
		t.Fatalf("totalLines = %d, want 60000", got)
	}
}

// The run's hub must let one person (every viewer is the admin) open a
// stream per viewer: the default per-person cap refused 36 of 100.
func TestHubArgsFitViewers(t *testing.T) {
	args := hubArgs(config{viewers: 100})
	for i, a := range args {
		if a == "--max-streams-per-user" && i+1 < len(args) {
			if n, err := strconv.Atoi(args[i+1]); err != nil || n < 100 {
				t.Fatalf("--max-streams-per-user %q does not fit 100 viewers", args[i+1])
			}
			return
		}
	}
	t.Fatalf("hubArgs %q set no --max-streams-per-user: viewers past the default 64 get 429", args)
}
