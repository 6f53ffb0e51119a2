package main

import (
	"context"
	"fmt"
	"io"

	"github.com/ct-dev/ct/db"
)

func runAudit(_ context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "verify" {
		fmt.Fprint(stderr, "Usage: ct audit verify [--data DIR]\n")
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			return errHelp
		}
		return errUsage
	}
	fs := newFlagSet("audit verify", `Usage: ct audit verify [--data DIR]

Checks the hub's hash-chained audit log, entry by entry, and names the first
entry that was changed, removed or reordered. Run it with the hub stopped
(the store allows one process); on a running hub use the Audit page.`, stdout)
	data := fs.String("data", envOr(getenv, "CT_DATA", "./ct-data"), "data directory (env CT_DATA)")
	if err := parseFlags(fs, args[1:], stderr); err != nil {
		return err
	}
	store, err := db.OpenExisting(*data)
	if err != nil {
		return err
	}
	defer store.Close()
	rep, err := store.VerifyAudit()
	if err != nil {
		return err
	}
	if rep.BrokenAt != 0 {
		return fmt.Errorf("audit log broken at entry %d of %d: %s", rep.BrokenAt, rep.Entries, rep.Reason)
	}
	fmt.Fprintf(stdout, "audit log: %d entries, the chain is whole\n", rep.Entries)
	return nil
}
