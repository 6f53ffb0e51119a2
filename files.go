package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/ct-dev/ct/client"
	"github.com/ct-dev/ct/fileshare"
	"github.com/ct-dev/ct/ptywrap"
)

const filesUsage = `Usage:
  ct files ls                          the peers that share files now, and their roots
  ct files ls PEER [PATH]              list what PEER shares (no PATH: its shared roots)
  ct files get PEER PATH [-o FILE]     print one shared file (at most 1 MiB), or save it to FILE

PEER is a peer's name from ct msg peers (or a session id); PATH starts with
one of its shared roots, e.g. src/main.go. A peer shares directories by
running ct wrap --share-dir DIR. Reads are read only, never follow a
symbolic link and never leave the shared directories; the hub audits each.`

// openShares opens the directories ct wrap or ct node (cmd) shares:
// nil Files when there are none, a usage error (said on stderr) when one
// cannot be shared; approve makes each read by another peer wait for the
// person's approval on the hub. Call the returned close when the sessions are over.
func openShares(cmd string, dirs []string, approve bool, stderr io.Writer) (ptywrap.Files, func(), error) {
	if len(dirs) == 0 {
		if approve {
			fmt.Fprintf(stderr, "ct %s: --share-approve goes with --share-dir DIR: there is nothing shared to approve\n", cmd)
			return nil, nil, errUsage
		}
		return nil, func() {}, nil
	}
	share, err := fileshare.New(dirs)
	if err != nil {
		fmt.Fprintf(stderr, "ct %s: %v\n", cmd, err)
		return nil, nil, errUsage
	}
	share.Approve = approve
	return share, share.Close, nil
}

func runFiles(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if done, err := groupHelp(args, filesUsage, stdout); done {
		return err
	}
	fs := newFlagSet("files", filesUsage, stdout)
	hub, token, peer := coordFlags(fs, getenv)
	out := fs.String("o", "", "get: write the file here instead of standard output")
	pos, err := splitArgs(fs, args[1:], stderr)
	if err != nil {
		return err
	}
	if !(args[0] == "ls" && len(pos) <= 2) && !(args[0] == "get" && len(pos) == 2) {
		fmt.Fprintln(stderr, filesUsage)
		return errUsage
	}
	c, err := client.Open(getenv, client.Settings{Hub: *hub, Token: *token, Peer: *peer}, stderr)
	if err != nil {
		return err
	}
	if args[0] == "ls" && len(pos) == 0 {
		list, err := c.SharingPeers(ctx)
		if err != nil {
			return err
		}
		for _, p := range list {
			fmt.Fprintf(stdout, "%s on %s (session %s): %s\n", p.Peer, p.Machine, p.Session, strings.Join(p.Roots, ", "))
		}
		return nil
	}
	if args[0] == "ls" {
		path := ""
		if len(pos) == 2 {
			path = pos[1]
		}
		l, err := c.PeerFiles(ctx, pos[0], path)
		if err != nil {
			return err
		}
		for _, e := range l.Entries {
			name := e.Name
			if e.Type == "dir" {
				name += "/"
			}
			fmt.Fprintf(stdout, "%-8s %10d  %s\n", e.Type, e.Size, name)
		}
		if l.Truncated {
			fmt.Fprintf(stdout, "(only the first %d entries)\n", len(l.Entries))
		}
		return nil
	}
	b, err := c.PeerFile(ctx, pos[0], pos[1])
	if err != nil {
		return err
	}
	if *out != "" {
		return os.WriteFile(*out, b, 0o644)
	}
	_, err = stdout.Write(b)
	return err
}
