package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/ct-dev/ct/audit"
	"github.com/ct-dev/ct/db"
)

func runAudit(_ context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "verify" {
		fmt.Fprint(stderr, "Usage: ct audit verify [--data DIR] [--head SEQ:HASH] [--audit-key-file FILE]\n")
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			return errHelp
		}
		return errUsage
	}
	fs := newFlagSet("audit verify", `Usage: ct audit verify [--data DIR] [--head SEQ:HASH] [--audit-key-file FILE]

Checks the hub's hash-chained audit log, entry by entry, and names the first
entry that was changed, removed or reordered. It then checks the log still
reaches the head the hub signed (<data>/audit.head, with the audit key) and,
with --head, a head recorded elsewhere (ct_audit_head_seq in /metrics with
the hash from the Audit page, or a backup's SEQ:HASH:MAC or FILE.audit-head,
whose signature is checked with the key): newest entries cut off are
reported as truncation. Run it with the hub stopped (the store allows one
process); on a running hub use the Audit page.`, stdout)
	data := fs.String("data", envOr(getenv, "CT_DATA", "./ct-data"), "data directory (env CT_DATA)")
	head := fs.String("head", "", "a head recorded earlier, SEQ:HASH[:MAC] or a backup's .audit-head file: the log must still contain that entry")
	keyFile := fs.String("audit-key-file", envOr(getenv, "CT_AUDIT_KEY_FILE", ""), "the hub's audit key (env CT_AUDIT_KEY_FILE; default <data>/audit.key)")
	if err := parseFlags(fs, args[1:], stderr); err != nil {
		return err
	}
	want, err := recordedHead(*head, auditKeyPath(*keyFile, *data))
	if err != nil {
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
	signed, err := checkSignedHead(store, *data, auditKeyPath(*keyFile, *data))
	if err != nil {
		return err
	}
	if msg, err := store.CheckAuditHead(want); err != nil || msg != "" {
		if err != nil {
			return err
		}
		return fmt.Errorf("audit log %s (against --head)", msg)
	}
	fmt.Fprintf(stdout, "audit log: %d entries, the chain is whole and reaches the signed head (entry %d)\n", rep.Entries, signed.Seq)
	return nil
}

// recordedHead reads --head: SEQ:HASH, SEQ:HASH:MAC or a file holding one
// (ct backup's FILE.audit-head). A signed one must match the audit key: a
// head forged to hide a truncation does not.
func recordedHead(arg, keyPath string) (db.AuditHead, error) {
	if arg == "" {
		return db.AuditHead{}, nil
	}
	if fi, err := os.Stat(arg); err == nil && fi.Mode().IsRegular() && fi.Size() < 1024 {
		b, err := os.ReadFile(arg)
		if err != nil {
			return db.AuditHead{}, fmt.Errorf("--head: %w", err)
		}
		arg = strings.TrimSpace(string(b))
	}
	a, err := audit.ParseHead(arg)
	if err != nil || a.MAC == "" {
		return a.AuditHead, err
	}
	key, err := audit.ReadKey(keyPath)
	if err != nil {
		return db.AuditHead{}, err
	}
	if !a.Valid(key) {
		return db.AuditHead{}, fmt.Errorf("the --head's signature does not match the key %s: it was forged, or it is another hub's", keyPath)
	}
	return a.AuditHead, nil
}

// checkSignedHead checks the head file's signature and that the log still
// reaches it. A missing head file is an error: every hub of this version
// writes one at start, so its absence means it was removed.
func checkSignedHead(store *db.Store, data, keyPath string) (db.AuditHead, error) {
	path := filepath.Join(data, audit.HeadFile)
	a, ok, err := audit.ReadAnchor(path)
	if err != nil {
		return db.AuditHead{}, err
	}
	if !ok {
		return db.AuditHead{}, fmt.Errorf("no signed audit head at %s: it was removed, or the hub never ran with this version (start it once to sign the head; pass --head to check a recorded one)", path)
	}
	key, err := audit.ReadKey(keyPath)
	if err != nil {
		return db.AuditHead{}, err
	}
	if !a.Valid(key) {
		return db.AuditHead{}, fmt.Errorf("the signed audit head %s does not match the key %s: it was forged, or the key is not this hub's", path, keyPath)
	}
	msg, err := store.CheckAuditHead(a.AuditHead)
	if err != nil {
		return db.AuditHead{}, err
	}
	if msg != "" {
		return db.AuditHead{}, fmt.Errorf("audit log %s (against the signed head)", msg)
	}
	return a.AuditHead, nil
}
