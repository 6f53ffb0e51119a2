package main

import (
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/ct-dev/ct/db"
)

// Ingest limits' defaults: generous for a team's real sessions, small
// enough that one machine token cannot fill a disk.
const (
	defaultSessionQuota = 2 << 30  // stored output of one session
	defaultMachineQuota = 10 << 30 // stored output of one machine's sessions
	defaultMinFreeDisk  = 64 << 20 // free space the store's disk keeps
)

// ingestConfig is ct serve's byte quotas, free-space floor and the bound
// of one session's log.
type ingestConfig struct {
	SessionQuota, MachineQuota, MinFreeDisk byteSize
	MaxSessionLog                           byteSize // 0: no bound
}

// ingestFlags adds --session-quota, --machine-quota, --min-free-disk and
// --max-session-log.
func ingestFlags(fs *flag.FlagSet, getenv func(string) string, c *ingestConfig, stderr io.Writer) error {
	return byteFlags(fs, getenv, stderr, []byteFlag{
		{"session-quota", "CT_SESSION_QUOTA", "stored output of one session, e.g. 2GiB; past it the hub keeps only the size (0 = no quota)", &c.SessionQuota, defaultSessionQuota},
		{"machine-quota", "CT_MACHINE_QUOTA", "stored output of all of one machine's sessions, e.g. 10GiB (0 = no quota)", &c.MachineQuota, defaultMachineQuota},
		{"min-free-disk", "CT_MIN_FREE_DISK", "free space the store's disk keeps, e.g. 64MiB; below it output is kept only as its size and /healthz says so (0 = no floor)", &c.MinFreeDisk, defaultMinFreeDisk},
		{"max-session-log", "CT_MAX_SESSION_LOG", "bound every session's stored log, live ones too, e.g. 1GiB: the oldest output beyond it is removed (0 = off, at least 1MiB)", &c.MaxSessionLog, 0},
	})
}

// byteFlag is one size setting: its flag, its environment twin, its help,
// where it goes and its default.
type byteFlag struct {
	name, env, what string
	v               *byteSize
	def             byteSize
}

// byteFlags declares size flags (flag > env > default).
func byteFlags(fs *flag.FlagSet, getenv func(string) string, stderr io.Writer, flags []byteFlag) error {
	for _, f := range flags {
		*f.v = f.def
		if v := getenv(f.env); v != "" {
			if err := f.v.Set(v); err != nil {
				fmt.Fprintf(stderr, "ct serve: %s=%q: %v\n", f.env, v, err)
				return errUsage
			}
		}
		fs.Var(f.v, f.name, f.what+" (env "+f.env+")")
	}
	return nil
}

// byteSize is a flag of bytes written as 0, 1048576, 512KiB, 64MiB or 2GiB.
type byteSize int64

func (b *byteSize) String() string {
	switch n := int64(*b); {
	case n > 0 && n%(1<<30) == 0:
		return strconv.FormatInt(n>>30, 10) + "GiB"
	case n > 0 && n%(1<<20) == 0:
		return strconv.FormatInt(n>>20, 10) + "MiB"
	default:
		return strconv.FormatInt(n, 10)
	}
}

// Set parses a size; units are binary (KiB, MiB, GiB, TiB; KB etc. too).
func (b *byteSize) Set(s string) error {
	s = strings.TrimSpace(s)
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		m      int64
	}{{"TiB", 1 << 40}, {"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}, {"TB", 1 << 40}, {"GB", 1 << 30}, {"MB", 1 << 20}, {"KB", 1 << 10}, {"B", 1}} {
		if strings.HasSuffix(s, u.suffix) {
			s, mult = strings.TrimSuffix(s, u.suffix), u.m
			break
		}
	}
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || n < 0 || n > (1<<62)/mult {
		return fmt.Errorf("not a size like 64MiB or 2GiB (0 turns it off)")
	}
	*b = byteSize(n * mult)
	return nil
}

// checkIngest refuses a session log bound too small to hold a screen.
func checkIngest(c ingestConfig, stderr io.Writer) error {
	if c.MaxSessionLog > 0 && c.MaxSessionLog < db.MinSessionLog {
		fmt.Fprintf(stderr, "ct serve: --max-session-log %s is under the minimum of 1MiB (0 turns it off)\n", c.MaxSessionLog.String())
		return errUsage
	}
	return nil
}
