// Command ctload is ct's scale benchmark (issue 2): many ct wrap sessions
// each writing at a steady rate into one hub, watched by SSE viewers. It
// reports the hub's CPU and peak RSS, how stale the viewers' screens were,
// and whether every byte reached the store. Bounded by -duration.
//
//	go run ./bench/cmd/ctload                      # 100 wraps × 100 KB/s × 60 s, 100 viewers
//	go run ./bench/cmd/ctload -duration 10s        # a quick run
//	go run ./bench/cmd/ctload -sim                 # wraps simulated in-process (wire protocol, no PTYs)
//
// Each wrap runs this same binary as "ctload writer", which writes lines
// stamped with the time they were written ("T<unixnanos> ...").
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/ct-dev/ct/bench"
)

func main() {
	var err error
	if len(os.Args) > 1 && os.Args[1] == "writer" {
		err = runWriter(os.Args[2:])
	} else {
		err = run(os.Args[1:])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "ctload:", err)
		os.Exit(1)
	}
}

type config struct {
	ct       string
	wraps    int
	viewers  int
	rate     int
	line     int
	duration time.Duration
	settle   time.Duration
	tick     time.Duration
	hub      string
	hubLog   string
	sim      bool
}

func parse(args []string) (config, error) {
	var c config
	fs := flag.NewFlagSet("ctload", flag.ContinueOnError)
	fs.StringVar(&c.ct, "ct", "", "ct binary to test (default: build this checkout with CGO_ENABLED=0)")
	fs.IntVar(&c.wraps, "wraps", 100, "ct wrap sessions")
	fs.IntVar(&c.viewers, "viewers", 100, "SSE viewers, spread round-robin over the sessions")
	fs.IntVar(&c.rate, "rate", 100_000, "bytes per second each session's program writes")
	fs.IntVar(&c.line, "line", 100, "bytes per output line (each stamped T<unixnanos>)")
	fs.DurationVar(&c.duration, "duration", time.Minute, "how long the programs write")
	fs.DurationVar(&c.tick, "tick", 20*time.Millisecond, "how often each program writes its next burst (100 programs waking every 10 ms cost a 2-core machine a lot)")
	fs.StringVar(&c.hub, "hub", "", "point the wraps at this URL instead of a fresh hub (e.g. a closed port, to measure the load generator alone)")
	fs.BoolVar(&c.sim, "sim", false, "simulate the wraps in this process, speaking the wire protocol (no PTYs, no wrap processes), so the hub keeps the cores")
	fs.StringVar(&c.hubLog, "hublog", "", "write the hub's log (stderr) to this file at the end")
	fs.DurationVar(&c.settle, "settle", time.Minute, "how long after the writing ends to wait for the store to catch up")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if c.wraps < 1 || c.viewers < 0 || c.rate < 1 || c.duration <= 0 {
		return c, errors.New("-wraps and -rate must be positive, -viewers not negative, -duration above 0")
	}
	return c, nil
}

func run(args []string) error {
	cfg, err := parse(args)
	if err != nil {
		return err
	}
	bin := cfg.ct
	if bin == "" {
		if bin, err = buildCT(); err != nil {
			return err
		}
		defer os.RemoveAll(filepath.Dir(bin))
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	h, stop, err := bench.TempHub(bin, hubArgs(cfg)...)
	if err != nil {
		return err
	}
	defer stop()
	fmt.Printf("load average before: %s\n", bench.LoadAvg())
	fmt.Printf("hub %s pid %d; %d wraps × %d B/s for %s, %d viewers\n", h.URL, h.Pid(), cfg.wraps, cfg.rate, cfg.duration, cfg.viewers)
	res, err := load(cfg, bin, self, h)
	if cfg.hubLog != "" {
		if werr := os.WriteFile(cfg.hubLog, []byte(h.Stderr()), 0o644); werr != nil && err == nil {
			err = werr
		}
	}
	if err != nil {
		return err
	}
	res.print(cfg)
	fmt.Printf("load average after: %s\n", bench.LoadAvg())
	return nil
}

// hubArgs are the serve flags the run's hub needs: every viewer streams as
// the one admin, so the per-person stream cap (64 by default, far above what
// a person opens) must fit the viewers plus the admin's own requests, or the
// viewers past it are refused with 429 and never measured.
func hubArgs(cfg config) []string {
	return []string{"--max-streams-per-user", strconv.Itoa(cfg.viewers + 16)}
}

// buildCT builds the ct of the current module into a temporary directory.
func buildCT() (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	gomod := strings.TrimSpace(string(out))
	if err != nil || gomod == "" || gomod == os.DevNull {
		return "", errors.New("run ctload inside the ct checkout, or pass -ct PATH")
	}
	dir, err := os.MkdirTemp("", "ctload-bin-")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "ct")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	cmd.Dir = filepath.Dir(gomod)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		os.RemoveAll(dir)
		return "", fmt.Errorf("go build: %v\n%s", err, b)
	}
	return bin, nil
}

// waitCtx is a context for the whole run plus generous slack.
func waitCtx(cfg config) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), cfg.duration+cfg.settle+5*time.Minute)
}
