package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/ct-dev/ct/client"
)

const clockUsage = `Usage:
  ct clock                      show the hub's simulation clock (tick, sim_time, speed)
  ct clock set 1|10|100 [--reset]  run it at that speed (the first set, or --reset, starts a run at tick 0)
  ct clock pause | resume       stop and restart its ticks
  ct clock subscribe | unsubscribe  get (or stop) its ticks: ct events --types tick
  ct clock report               the run's messages, locks and todos per tick, by peer

Each answer is one JSON object. Setting, pausing and resuming need the
member role; anyone may read and subscribe.`

func runClock(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("clock", clockUsage, stdout)
	hub, token, peer := coordFlags(fs, getenv)
	reset := fs.Bool("reset", false, "set: start a new run (tick 0, empty report)")
	pos, err := splitArgs(fs, args, stderr)
	if err != nil {
		return err
	}
	c, err := client.Open(getenv, client.Settings{Hub: *hub, Token: *token, Peer: *peer}, stderr)
	if err != nil {
		return err
	}
	out, err := clockCall(ctx, c, pos, *reset)
	if err != nil {
		if err == errUsage {
			fmt.Fprintln(stderr, clockUsage)
		}
		return err
	}
	b, _ := json.Marshal(out)
	fmt.Fprintf(stdout, "%s\n", b)
	return nil
}

// clockCall runs the subcommand in pos.
func clockCall(ctx context.Context, c *client.Client, pos []string, reset bool) (any, error) {
	switch {
	case len(pos) == 0:
		return c.Clock(ctx)
	case pos[0] == "set" && len(pos) == 2:
		speed, err := strconv.Atoi(pos[1])
		if err != nil {
			return nil, fmt.Errorf("speed %q: use 1, 10 or 100", pos[1])
		}
		return c.SetClock(ctx, speed, reset, time.Time{}) // sim_time starts now
	case pos[0] == "pause" && len(pos) == 1:
		return c.PauseClock(ctx)
	case pos[0] == "resume" && len(pos) == 1:
		return c.ResumeClock(ctx)
	case (pos[0] == "subscribe" || pos[0] == "unsubscribe") && len(pos) == 1:
		return c.SubscribeClock(ctx, pos[0] == "subscribe")
	case pos[0] == "report" && len(pos) == 1:
		return c.ClockReport(ctx)
	}
	return nil, errUsage
}
