package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/ct-dev/ct/audit"
	"github.com/ct-dev/ct/auth"
	"github.com/ct-dev/ct/client"
	"github.com/ct-dev/ct/db"
	"golang.org/x/term"
)

// ct backup, ct restore and ct compact: the store's operations
// (docs/operations.md).

// checkBackupToken refuses, before asking the hub, a token that cannot
// take a backup.
func checkBackupToken(token string, stderr io.Writer) error {
	if token == "" {
		fmt.Fprintf(stderr, "ct backup: no token; pass an admin's API token with --token or CT_TOKEN.\n%s\n", tokenHint)
		return errUsage
	}
	if kind, _, _, ok := auth.ParseToken(token); ok && kind != auth.KindAPI {
		// CT_TOKEN often holds ct wrap's machine token; say so before asking the hub.
		fmt.Fprintf(stderr, "ct backup: that is a %s token; backups take an admin's API token (cta_...).\n%s\n", kind, tokenHint)
		return errUsage
	}
	return nil
}

func runBackup(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("backup", `Usage: ct backup [--hub URL] [--token TOKEN] [-o FILE] [> FILE]

Copies a running hub's whole store (a consistent snapshot; the hub keeps
serving) to FILE or stdout, with an admin's API token (cta_...).
`+tokenHint+`
The copy is checked before it is written out: a cut-short or damaged
download fails instead of leaving a bad backup. Put it back with ct restore.
The audit log's signed head at the time of the copy goes to FILE.audit-head
(with -o; printed either way): ct audit verify --head checks a restore
against it.`, stdout)
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
	if err := checkBackupToken(*token, stderr); err != nil {
		return err
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
	res, err := client.New(client.Config{Hub: *hub, Token: *token}).Backup(ctx, tmp)
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
		if err := writeHeadFile(*out, res.AuditHead); err != nil {
			return err
		}
		if err := os.Rename(tmp.Name(), *out); err != nil {
			return fmt.Errorf("write %s: %w", *out, err)
		}
	} else if err := copyFile(stdout, tmp.Name()); err != nil {
		return fmt.Errorf("write the backup to stdout: %w", err)
	}
	fmt.Fprintf(stderr, "ct backup: %d bytes to %s (schema %d, %d sessions, %d machines)\n", res.Bytes, dest, check.Schema, check.Sessions, check.Nodes)
	switch {
	case res.AuditHead != "" && *out != "":
		fmt.Fprintf(stderr, "ct backup: audit head %s in %s; after a restore, check it with ct audit verify --head %s\n", res.AuditHead, *out+headSuffix, *out+headSuffix)
	case res.AuditHead != "":
		fmt.Fprintf(stderr, "ct backup: audit head %s; keep it with the backup: after a restore, ct audit verify --head %s\n", res.AuditHead, res.AuditHead)
	}
	return nil
}

// headSuffix names the file beside a backup that holds its signed audit
// head (SEQ:HASH:MAC), which ct restore and ct audit verify --head read.
const headSuffix = ".audit-head"

// writeHeadFile writes the backup's audit head beside it (nothing when the
// hub sent none), or removes a stale one from an earlier backup there.
func writeHeadFile(backup, head string) error {
	path := backup + headSuffix
	if head == "" {
		if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("remove the old %s: %w", path, err)
		}
		return nil
	}
	if err := os.WriteFile(path, []byte(head+"\n"), 0o600); err != nil {
		return fmt.Errorf("write the backup's audit head %s: %w", path, err)
	}
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
ct.db.before-restore-TIME. A FILE.audit-head beside the backup (ct backup
-o writes it) becomes DIR's signed audit head, for ct audit verify. Start
ct serve afterwards; a backup from an older ct is upgraded then.`, stdout)
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
	if name := fs.Arg(0); name != "-" {
		return restoreHead(*data, name+headSuffix, stdout)
	}
	return nil
}

// restoreHead makes the backup's signed audit head (beside it, if ct backup
// wrote one) the data directory's signed head, so ct audit verify checks
// the restored log against the head it had when it was copied, not the
// replaced store's newer one. The old head file is kept beside it.
func restoreHead(data, headPath string, stdout io.Writer) error {
	b, err := os.ReadFile(headPath)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read the backup's audit head: %w", err)
	}
	a, err := audit.ParseHead(strings.TrimSpace(string(b)))
	if err != nil || a.MAC == "" {
		fmt.Fprintf(stdout, "%s is not a signed audit head; the audit head file is left as it is\n", headPath)
		return nil
	}
	dst := filepath.Join(data, audit.HeadFile)
	if _, err := os.Stat(dst); err == nil {
		if err := os.Rename(dst, dst+".before-restore-"+time.Now().UTC().Format("20060102T150405Z")); err != nil {
			return fmt.Errorf("keep the current audit head: %w", err)
		}
	}
	if err := audit.WriteAnchor(dst, a); err != nil {
		return fmt.Errorf("write the backup's audit head: %w", err)
	}
	fmt.Fprintf(stdout, "the audit head of the backup (entry %d) is the signed head now; ct audit verify --data %s checks the log reaches it\n", a.Seq, data)
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
