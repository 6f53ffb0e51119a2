package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/ct-dev/ct/client"
	"github.com/ct-dev/ct/coord"
)

const reserveUsage = `Usage:
  ct reserve GLOB... [--ttl 10m] [--reason R] [--repo R]   reserve paths of this repository on the hub
  ct reserve --list [--repo R | --all]                     list live reservations with their holders
  ct reserve --release ID [--force]                        release one (--force: an admin ends someone else's)

Globs are relative to the repository's top: * and ? match within a path
segment, ** any depth, and a directory covers everything under it
("db", "api/*.go", "**/*.sql"). The repository is named by --repo, else by
its origin remote (github.com/org/repo), else its top directory's name: the
same name ct guard check uses. Commits by others touching reserved paths
are refused by the hook ct guard install adds.`

// runReserve handles ct reserve.
func runReserve(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("reserve", reserveUsage, stdout)
	hub, token, peer := coordFlags(fs, getenv)
	repo := fs.String("repo", "", "the repository's name on the hub (default: from its origin remote)")
	ttl := fs.Duration("ttl", coord.DefaultTTL, "lease length; reserve again to renew")
	reason := fs.String("reason", "", "why (shown to whoever is refused)")
	list := fs.Bool("list", false, "list live reservations of the repository")
	all := fs.Bool("all", false, "with --list: of every repository")
	release := fs.String("release", "", "release the reservation with this id")
	force := fs.Bool("force", false, "with --release: end another peer's reservation (admins)")
	pos, err := splitArgs(fs, args, stderr)
	if err != nil {
		return err
	}
	if (*list || *release != "") == (len(pos) > 0) || (*list && *release != "") {
		fmt.Fprintln(stderr, reserveUsage)
		return errUsage
	}
	name := *repo
	if name == "" && *release == "" && !*all {
		if name, err = gitRepoName(ctx); err != nil {
			return fmt.Errorf("%w; or name the repository with --repo", err)
		}
	}
	c, err := client.Open(getenv, client.Settings{Hub: *hub, Token: *token, Peer: *peer}, stderr)
	if err != nil {
		return err
	}
	switch {
	case *release != "":
		if err = c.ReleaseReservation(ctx, *release, *force); err == nil {
			fmt.Fprintf(stdout, "released %s\n", *release)
		}
	case *list:
		var rs []coord.Reservation
		if rs, err = c.ListReservations(ctx, name); err == nil {
			for _, r := range rs {
				fmt.Fprintf(stdout, "%s\t%s\t%s\t%s\tuntil %s\t%s\n", r.ID, r.Repo, strings.Join(r.Globs, " "), r.Holder,
					r.Until.Local().Format(time.RFC3339), r.Reason)
			}
		}
	default:
		var r coord.Reservation
		if r, err = c.Reserve(ctx, name, pos, *ttl, *reason); err == nil {
			fmt.Fprintf(stdout, "reserved %s in %s as %s until %s\n", strings.Join(r.Globs, " "), r.Repo, r.ID, r.Until.Local().Format(time.RFC3339))
		}
	}
	if errors.Is(err, client.ErrHubAway) {
		return fmt.Errorf("%w: reservations need the hub's agreement, so none is taken or released while it is away; try again when it is back", err)
	}
	return err
}
