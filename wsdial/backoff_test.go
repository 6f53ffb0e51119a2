package wsdial

import (
	"testing"
	"time"
)

// A wrap must notice a returning hub within a few seconds: however many
// attempts failed before, the next wait (with its +20% jitter) stays
// under 5 s. (It was 30 s, so sessions stayed offline up to 32 s.)
func TestBackoffNoticesReturningHubSoon(t *testing.T) {
	wait := BackoffMin
	for i := 0; i < 50; i++ {
		wait = nextWait(wait)
	}
	if worst := time.Duration(float64(wait) * 1.2); worst > 5*time.Second {
		t.Fatalf("after many failures a wrap waits up to %s before trying the hub again, want under 5 s", worst)
	}
	if nextWait(BackoffMin) <= BackoffMin {
		t.Fatal("the backoff does not grow: a down hub would be hammered")
	}
}
