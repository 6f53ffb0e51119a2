package main

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/ct-dev/ct/audit"
	"github.com/ct-dev/ct/coord"
	"github.com/ct-dev/ct/db"
)

// outboundConfig is ct serve's settings for what leaves the hub and what
// one peer may make it do: notification addresses, coordination rates and
// the audit anchor key. See docs/design.md "Security model".
type outboundConfig struct {
	AllowPrivateNotify bool   // ntfy may be on a private address or this host
	AuditKeyFile       string // the audit head's MAC key; empty = <data>/audit.key
	// AuditBatchWait is how long the audit writer waits for more entries
	// to join a transaction (audit.Options.BatchWait).
	AuditBatchWait time.Duration
	Coord          coord.Limits
	// ClockTick is the real time between simulation clock ticks at x1
	// (coord/simclock.go); x10 and x100 tick 10 and 100 times as often.
	ClockTick time.Duration
	// Template sets up a new hub (coord/template.go): applied once, at
	// the first start that names one; "" none.
	Template string
}

// outboundFlags adds the flags of outboundConfig to fs, their CT_* twins
// read first; check validates them after parsing.
func outboundFlags(fs *flag.FlagSet, getenv func(string) string, stderr io.Writer, c *outboundConfig) (check func() error, err error) {
	c.Coord = coord.DefaultLimits()
	c.ClockTick = time.Second
	if err := durationEnv(getenv, "CT_CLOCK_TICK", &c.ClockTick, stderr); err != nil {
		return nil, err
	}
	c.AuditBatchWait = defaultAuditBatchWait
	if v := getenv("CT_AUDIT_BATCH_WAIT"); v != "" {
		if c.AuditBatchWait, err = time.ParseDuration(v); err != nil {
			fmt.Fprintf(stderr, "ct serve: CT_AUDIT_BATCH_WAIT=%q is not a duration like 200ms (0 commits every entry at once)\n", v)
			return nil, errUsage
		}
	}
	allow := envOr(getenv, "CT_ALLOW_PRIVATE_NOTIFY", "")
	if allow != "" {
		if c.AllowPrivateNotify, err = strconv.ParseBool(allow); err != nil {
			fmt.Fprintf(stderr, "ct serve: CT_ALLOW_PRIVATE_NOTIFY=%q is not true or false\n", allow)
			return nil, errUsage
		}
	}
	if err := durationEnv(getenv, "CT_MIN_REMINDER_INTERVAL", &c.Coord.MinReminderInterval, stderr); err != nil {
		return nil, err
	}
	if err := durationEnv(getenv, "CT_MESSAGE_RETENTION", &c.Coord.MessageRetention, stderr); err != nil {
		return nil, err
	}
	rate, burst := envOr(getenv, "CT_MESSAGE_RATE", ""), envOr(getenv, "CT_MESSAGE_BURST", "")
	if rate != "" {
		if c.Coord.MessageRate, err = strconv.ParseFloat(rate, 64); err != nil || c.Coord.MessageRate <= 0 {
			fmt.Fprintf(stderr, "ct serve: CT_MESSAGE_RATE=%q is not a positive number of messages a minute\n", rate)
			return nil, errUsage
		}
	}
	if burst != "" {
		if c.Coord.MessageBurst, err = strconv.Atoi(burst); err != nil || c.Coord.MessageBurst <= 0 {
			fmt.Fprintf(stderr, "ct serve: CT_MESSAGE_BURST=%q is not a positive whole number\n", burst)
			return nil, errUsage
		}
	}
	fs.BoolVar(&c.AllowPrivateNotify, "allow-private-notify", c.AllowPrivateNotify, "let ntfy URLs reach private addresses and this host (a self-hosted ntfy); link-local, metadata and Web Push stay refused (env CT_ALLOW_PRIVATE_NOTIFY)")
	fs.StringVar(&c.AuditKeyFile, "audit-key-file", envOr(getenv, "CT_AUDIT_KEY_FILE", ""), "file with the key that signs the audit log's head, created 0600 if missing; keep it off the data volume's backups (env CT_AUDIT_KEY_FILE; default <data>/audit.key)")
	fs.DurationVar(&c.AuditBatchWait, "audit-batch-wait", c.AuditBatchWait, "how long the audit writer holds a typed-input entry for more to join its commit, 0 to 1s (decisions and every other entry commit at once); a hub crash loses at most this much typing from the audit log, a clean stop nothing (env CT_AUDIT_BATCH_WAIT)")
	fs.DurationVar(&c.Coord.MinReminderInterval, "min-reminder-interval", c.Coord.MinReminderInterval, "refuse repeating reminders that fire more often than this (env CT_MIN_REMINDER_INTERVAL)")
	fs.Float64Var(&c.Coord.MessageRate, "message-rate", c.Coord.MessageRate, "messages a minute one peer may send on average; over it: 429 with Retry-After (env CT_MESSAGE_RATE)")
	fs.IntVar(&c.Coord.MessageBurst, "message-burst", c.Coord.MessageBurst, "messages one peer may send at once after a quiet spell (env CT_MESSAGE_BURST)")
	fs.StringVar(&c.Template, "template", envOr(getenv, "CT_TEMPLATE", ""), "set a new hub up as "+strings.Join(coord.TemplateNames(), ", ")+": groups, roles, default priorities, a welcome message and skills, applied once (env CT_TEMPLATE)")
	fs.DurationVar(&c.ClockTick, "clock-tick", c.ClockTick, "real time between simulation clock ticks at x1 (clock_set); x10 and x100 tick 10 and 100 times as often (env CT_CLOCK_TICK)")
	fs.DurationVar(&c.Coord.MessageRetention, "message-retention", c.Coord.MessageRetention, "delete a message this long after it was read (and answered, when it asked to be); the audit log keeps the record (env CT_MESSAGE_RETENTION)")
	return func() error {
		if c.Template != "" {
			if _, err := coord.LoadTemplate(c.Template); err != nil {
				fmt.Fprintf(stderr, "ct serve: --template: %v\n", err)
				return errUsage
			}
		}
		if c.AuditBatchWait < 0 || c.AuditBatchWait > audit.MaxBatchWait {
			fmt.Fprintf(stderr, "ct serve: --audit-batch-wait must be between 0 (commit every entry at once) and %v\n", audit.MaxBatchWait)
			return errUsage
		}
		if c.ClockTick < 100*time.Millisecond {
			fmt.Fprintln(stderr, "ct serve: --clock-tick must be at least 100ms (x100 then ticks every 1ms)")
			return errUsage
		}
		if c.Coord.MinReminderInterval <= 0 || c.Coord.MessageRate <= 0 || c.Coord.MessageBurst <= 0 || c.Coord.MessageRetention <= 0 {
			fmt.Fprintln(stderr, "ct serve: --min-reminder-interval, --message-rate, --message-burst and --message-retention must be positive")
			return errUsage
		}
		return nil
	}, nil
}

// defaultAuditBatchWait: one audit commit (two fsyncs and the signed head
// file) per keystroke cost the hub ~1 ms of CPU and ~0.4 ms of keystroke
// latency at human typing speed (BENCHMARKS.md, issue 17); a fifth of a
// second groups a typist's keys into a few commits a second.
const defaultAuditBatchWait = 200 * time.Millisecond

// auditKeyPath is the audit key file: the flag, else <data>/audit.key.
func auditKeyPath(flagValue, data string) string {
	if flagValue != "" {
		return flagValue
	}
	return filepath.Join(data, audit.KeyFile)
}

// openAudit starts the audit writer with its head signed into
// <data>/audit.head after every write (audit/anchor.go).
func openAudit(c serveConfig, store *db.Store, log *slog.Logger) (*audit.Log, error) {
	key, err := audit.LoadKey(auditKeyPath(c.Outbound.AuditKeyFile, c.Data))
	if err != nil {
		return nil, err
	}
	return audit.NewWith(store, log, audit.Options{Key: key, HeadPath: filepath.Join(c.Data, audit.HeadFile), BatchWait: c.Outbound.AuditBatchWait}), nil
}
