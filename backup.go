package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"

	"github.com/ct-dev/ct/auth"
	"github.com/ct-dev/ct/client"
	"github.com/ct-dev/ct/db"
	"golang.org/x/term"
)

// ct backup, ct restore and ct compact: the store's operations
// (docs/operations.md).

func runBackup(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("backup", `Usage: ct backup [--hub URL] [--token TOKEN] [-o FILE] [> FILE]

Copies a running hub's whole store (a consistent snapshot; the hub keeps
serving) to FILE or stdout, with an admin's API token (cta_...).
`+tokenHint+`
The copy is checked before it is written out: a cut-short or damaged
download fails instead of leaving a bad backup. Put it back with ct restore.`, stdout)
	defHub, _ := client.DefaultHub(getenv)
	hub := fs.String("hub", defHub, "hub URL (env CT_HUB; default: the hub ct login saved last, else "+client.LocalHub+")")
	token := fs.String("token", envOr(getenv, "CT_TOKEN", ""), "an admin's API token, cta_... (env CT_TOKEN)")
	out := fs.String("o", "", "write to FILE (atomically) instead of stdout")
	if err := parseFlags(fs, args, stderr); err != nil {
		return err
	}
	if *out == "" {
		if f, ok := stdout.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
			fmt.Fprintln(stderr, "ct backup: stdout is a terminal; redirect it (ct backup > ct-backup.db) or pass -o FILE")
			return errUsage
		}
	}
	if *token == "" {
		fmt.Fprintf(stderr, "ct backup: no token; pass an admin's API token with --token or CT_TOKEN.\n%s\n", tokenHint)
		return errUsage
	}
	if kind, _, _, ok := auth.ParseToken(*token); ok && kind != auth.KindAPI {
		// CT_TOKEN often holds ct wrap's machine token; say so before asking the hub.
		fmt.Fprintf(stderr, "ct backup: that is a %s token; backups take an admin's API token (cta_...).\n%s\n", kind, tokenHint)
		return errUsage
	}
	// Download beside the destination (or in the temp dir for stdout), check
	// it, and only then put it where it belongs.
	dir := os.TempDir()
	if *out != "" {
		dir = filepath.Dir(*out)
	}
	tmp, err := os.CreateTemp(dir, "ct-backup-*.partial")
	if err != nil {
		return fmt.Errorf("create a temporary file in %s: %w", dir, err)
	}
	defer os.Remove(tmp.Name())
	n, err := client.New(client.Config{Hub: *hub, Token: *token}).Backup(ctx, tmp)
	var refused *client.APIError
	if errors.As(err, &refused) && (refused.Status == http.StatusUnauthorized || refused.Status == http.StatusForbidden) {
		err = fmt.Errorf("%w\nct backup takes an admin's API token. %s", err, tokenHint)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	check, err := db.Inspect(tmp.Name())
	if err != nil {
		return fmt.Errorf("the downloaded backup failed its check, nothing written: %w", err)
	}
	dest := "stdout"
	if *out != "" {
		dest = *out
		if err := os.Rename(tmp.Name(), *out); err != nil {
			return fmt.Errorf("write %s: %w", *out, err)
		}
	} else if err := copyFile(stdout, tmp.Name()); err != nil {
		return fmt.Errorf("write the backup to stdout: %w", err)
	}
	fmt.Fprintf(stderr, "ct backup: %d bytes to %s (schema %d, %d sessions, %d machines)\n", n, dest, check.Schema, check.Sessions, check.Nodes)
	return nil
}

// tokenHint says how to get the token ct backup needs.
const tokenHint = `Make one as an admin with
  CT_USER=admin CT_PASSWORD=... ct token create --hub URL --api --name backup
or on the hub's Tokens page (/tokens, kind API).`

func copyFile(w io.Writer, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = io.Copy(w, f)
	return err
}

func runRestore(_ context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlagSet("restore", `Usage: ct restore [--data DIR] [--force] FILE|-

Makes the backup FILE (or stdin, with -) the store of DIR, with the hub
stopped. The backup is checked before anything changes. A store already in
DIR is replaced only with --force, and is then kept beside it as
ct.db.before-restore-TIME. Start ct serve afterwards; a backup from an older
ct is upgraded then.`, stdout)
	data := fs.String("data", envOr(getenv, "CT_DATA", "./ct-data"), "data directory of the hub to restore into (env CT_DATA)")
	force := fs.Bool("force", false, "replace an existing store (it is kept beside the new one)")
	if err := parseFlags(fs, args, stderr); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fmt.Fprintln(stderr, "ct restore: name one backup file, or - for stdin (see ct restore --help)")
		return errUsage
	}
	var in io.Reader = stdin
	if name := fs.Arg(0); name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return fmt.Errorf("open the backup: %w", err)
		}
		defer f.Close()
		in = f
	}
	check, kept, err := db.Restore(*data, in, *force)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "restored %s into %s (schema %d, %d sessions, %d machines)\n", fs.Arg(0), filepath.Join(*data, db.FileName), check.Schema, check.Sessions, check.Nodes)
	if kept != "" {
		fmt.Fprintf(stdout, "the previous store is kept at %s; delete it once the hub runs well\n", kept)
	}
	return nil
}

func runCompact(_ context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("compact", `Usage: ct compact [--data DIR]

Rewrites the store of DIR into a fresh, densely packed file, with the hub
stopped. bbolt reuses the pages retention frees but never shrinks its file;
compacting gives that space back to the disk. Needs free disk space for a
second copy while it runs.`, stdout)
	data := fs.String("data", envOr(getenv, "CT_DATA", "./ct-data"), "data directory of the hub (env CT_DATA)")
	if err := parseFlags(fs, args, stderr); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "ct compact: unexpected argument %q (see ct compact --help)\n", fs.Arg(0))
		return errUsage
	}
	before, after, err := db.Compact(*data)
	if errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("no store in %s: %w", *data, err)
	}
	if err != nil {
		return err
	}
	if after == before {
		fmt.Fprintf(stdout, "%s is already compact (%d bytes); left as it is\n", filepath.Join(*data, db.FileName), before)
		return nil
	}
	fmt.Fprintf(stdout, "compacted %s: %d -> %d bytes\n", filepath.Join(*data, db.FileName), before, after)
	return nil
}
