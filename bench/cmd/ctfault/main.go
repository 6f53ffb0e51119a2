// Command ctfault is the long form of issue 13's fault-injection run: N ct
// wrap sessions writing numbered lines while ct serve is SIGKILLed and
// restarted M times at random moments (including after programs ended),
// then every stored log compared byte for byte with what its program wrote
// and every session checked for its exit code. Goal: 0 bytes lost, 0
// duplicated, 0 sessions not ended. Loopback only; bounded in count.
//
//	go build -o /tmp/ct . && go run ./bench/cmd/ctfault -bin /tmp/ct -wraps 10 -kills 50
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"time"

	"github.com/ct-dev/ct/bench"
)

func main() {
	bin := flag.String("bin", "", "the ct binary (required; build it with go build -o /tmp/ct .)")
	wraps := flag.Int("wraps", 10, "sessions")
	kills := flag.Int("kills", 50, "hub SIGKILLs (each followed by a restart)")
	lines := flag.Int("lines", 40000, "lines the longest program writes")
	seed := flag.Int64("seed", 1, "seed for the kill moments")
	verbose := flag.Bool("v", false, "print each kill")
	flag.Parse()
	if *bin == "" || *wraps < 1 || *kills < 0 || *wraps > 200 || *kills > 1000 {
		fmt.Fprintln(os.Stderr, "usage: ctfault -bin PATH [-wraps 1..200] [-kills 0..1000] [-lines N] [-seed N]")
		os.Exit(2)
	}
	dir, err := os.MkdirTemp("", "ctfault-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "ctfault:", err)
		os.Exit(1)
	}
	defer os.RemoveAll(dir)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, 30*time.Minute)
	defer cancel()
	cfg := bench.FaultConfig{Bin: *bin, Dir: dir, Wraps: *wraps, Kills: *kills, Lines: *lines, Seed: *seed}
	if *verbose {
		cfg.Log = os.Stderr
	}
	res, err := bench.RunFaults(ctx, cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, "ctfault:", err)
		os.Exit(1)
	}
	fmt.Printf("| sessions | kills | bytes compared | lost | duplicated | logs differing | not ended | time |\n|---|---|---|---|---|---|---|---|\n")
	fmt.Printf("| %d | %d | %d | %d | %d | %d | %d | %.1f s |\n", res.Sessions, res.Kills, res.BytesWritten, res.Lost, res.Duplicated, res.Mismatched, res.NotEnded, res.Elapsed.Seconds())
	for _, p := range res.Problems {
		fmt.Println("-", p)
	}
	if res.Lost+res.Duplicated > 0 || res.Mismatched+res.NotEnded > 0 {
		os.Exit(1)
	}
}
