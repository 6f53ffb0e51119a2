package bench

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/ct-dev/ct/e2e"
)

// The short form of issue 13's fault-injection run, in every test run:
// three wraps writing numbered lines while the hub is SIGKILLed and
// restarted three times (the long form is bench/cmd/ctfault). Every stored
// log must equal what its program wrote, and every session must end with
// its program's exit code.
func TestFaultInjectionShort(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and kills real hubs")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	var log strings.Builder
	res, err := RunFaults(ctx, FaultConfig{Bin: e2e.Binary(t), Dir: t.TempDir(), Wraps: 3, Kills: 3, Lines: 6000, Seed: 1, Log: &log})
	if err != nil {
		t.Fatalf("%v\n%s", err, log.String())
	}
	if res.Lost != 0 || res.Duplicated != 0 || res.Mismatched != 0 || res.NotEnded != 0 {
		t.Fatalf("after %d kills: lost %d, duplicated %d, mismatched %d, not ended %d: %q", res.Kills, res.Lost, res.Duplicated, res.Mismatched, res.NotEnded, res.Problems)
	}
	t.Logf("%d sessions, %d kills, %d bytes compared in %v", res.Sessions, res.Kills, res.BytesWritten, res.Elapsed)
}
