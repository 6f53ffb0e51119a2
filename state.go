package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/ct-dev/ct/client"
	"github.com/ct-dev/ct/coord"
)

const stateUsage = `Usage:
  ct state get KEY [--history]         a shared state key's value (with up to 49 earlier ones)
  ct state set KEY VALUE               set it (VALUE "-" reads it from stdin; at most 4 KiB)
  ct state watch KEY [--after N] [--once]
                                       print each new value as it is set (--once: the first, then exit)

State keys are small named values the team shares ("build", "schema/version"),
kept with their history on the hub; every change is pushed to watchers.`

// stateWatchWait is one long-poll of ct state watch: under the hub's 60 s cap.
const stateWatchWait = 50 * time.Second

// runState handles ct state get|set|watch.
func runState(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlagSet("state", stateUsage, stdout)
	hub, token, peer := coordFlags(fs, getenv)
	history := fs.Bool("history", false, "get: include earlier values, newest first")
	after := fs.Uint64("after", 0, "watch: the version last seen (default: the current one)")
	once := fs.Bool("once", false, "watch: exit after the first change")
	pos, err := splitArgs(fs, args, stderr)
	if err != nil {
		return err
	}
	want := map[string]int{"get": 2, "set": 3, "watch": 2}
	if len(pos) == 0 || want[pos[0]] != len(pos) {
		fmt.Fprintln(stderr, stateUsage)
		return errUsage
	}
	c, err := client.Open(getenv, client.Settings{Hub: *hub, Token: *token, Peer: *peer}, stderr)
	if err != nil {
		return err
	}
	key := pos[1]
	switch pos[0] {
	case "get":
		var k coord.StateKey
		if k, err = c.GetState(ctx, key, *history); err == nil && k.Version == 0 {
			return fmt.Errorf("state key %s has never been set; set it with ct state set %s VALUE", key, key)
		}
		if err == nil {
			printState(stdout, k.StateValue)
			for _, h := range k.History {
				printState(stdout, h)
			}
		}
	case "set":
		value := pos[2]
		if value == "-" {
			b, rerr := io.ReadAll(io.LimitReader(stdin, coord.MaxStateValue+1))
			if rerr != nil {
				return rerr
			}
			value = string(b)
		}
		var v coord.StateValue
		if v, err = c.SetState(ctx, key, value); err == nil {
			fmt.Fprintf(stdout, "%s is version %d\n", v.Key, v.Version)
		}
	default:
		haveAfter := false
		fs.Visit(func(f *flag.Flag) { haveAfter = haveAfter || f.Name == "after" })
		err = watchState(ctx, c, key, *after, haveAfter, *once, stdout)
	}
	return err
}

// watchState prints each new value of key until ctx ends (or the first, once).
func watchState(ctx context.Context, c *client.Client, key string, after uint64, haveAfter, once bool, stdout io.Writer) error {
	if !haveAfter { // start from now: only changes from here on
		k, err := c.GetState(ctx, key, false)
		if err != nil {
			return err
		}
		after = k.Version
	}
	for ctx.Err() == nil {
		k, changed, err := c.WatchState(ctx, key, after, stateWatchWait)
		if errors.Is(err, client.ErrHubAway) {
			return fmt.Errorf("%w: ct state watch stopped; run it again with --after %d to miss nothing kept in the history", err, after)
		}
		if err != nil {
			return err
		}
		if changed {
			printState(stdout, k.StateValue)
			after = k.Version
			if once {
				return nil
			}
		}
	}
	return ctx.Err()
}

func printState(w io.Writer, v coord.StateValue) {
	fmt.Fprintf(w, "v%d\t%s\t%s\t%s\n", v.Version, v.By, v.At.Local().Format(time.RFC3339), v.Value)
}
