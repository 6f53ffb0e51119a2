package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/ct-dev/ct/client"
	"github.com/ct-dev/ct/coord"
)

const lockUsage = `Usage:
  ct lock NAME [--ttl 10m] [--reason R]   take (or renew) an advisory lock on the hub
  ct unlock NAME [--force]                release it (--force: an admin breaks someone else's)
  ct locks                                list held locks

A lock needs the hub's agreement, so it is never granted while the hub is away.`

// runLock handles ct lock, ct unlock and ct locks (cmd says which).
func runLock(ctx context.Context, cmd string, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet(cmd, lockUsage, stdout)
	hub, token, peer := coordFlags(fs, getenv)
	ttl := fs.Duration("ttl", 10*time.Minute, "lease length; renew by taking it again")
	reason := fs.String("reason", "", "why you hold it (shown to whoever is refused)")
	force := fs.Bool("force", false, "unlock: break another peer's lock (admins)")
	pos, err := splitArgs(fs, args, stderr)
	if err != nil {
		return err
	}
	if (cmd == "locks") != (len(pos) == 0) || len(pos) > 1 {
		fmt.Fprintln(stderr, lockUsage)
		return errUsage
	}
	c, err := client.Open(getenv, client.Settings{Hub: *hub, Token: *token, Peer: *peer}, stderr)
	if err != nil {
		return err
	}
	if err := c.Flush(ctx); err != nil && !errors.Is(err, client.ErrHubAway) {
		return err
	}
	var werr error
	switch cmd {
	case "lock":
		var l coord.Lock
		if l, werr = c.AcquireLock(ctx, pos[0], *ttl, *reason); werr == nil {
			fmt.Fprintf(stdout, "locked %s until %s\n", l.Name, l.Until.Local().Format(time.RFC3339))
		}
	case "unlock":
		if werr = c.ReleaseLock(ctx, pos[0], *force); werr == nil {
			fmt.Fprintf(stdout, "unlocked %s\n", pos[0])
		}
	default:
		var list []coord.Lock
		if list, werr = c.ListLocks(ctx); werr == nil {
			if len(list) == 0 {
				emptyList(stderr, "no locks held", "ct lock NAME takes one")
			}
			for _, l := range list {
				fmt.Fprintf(stdout, "%s\t%s\tuntil %s\t%s\n", l.Name, l.Holder, l.Until.Local().Format(time.RFC3339), l.Reason)
			}
		}
	}
	if errors.Is(werr, client.ErrHubAway) {
		return fmt.Errorf("%w: locks need the hub's agreement, so none is granted or released while it is away; try again when it is back", werr)
	}
	return werr
}
