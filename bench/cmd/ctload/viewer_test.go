package main

import (
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
