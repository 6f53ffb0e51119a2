package main

import (
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/ct-dev/ct/handlers"
)

// lifeConfig is how sessions end and are shared: the grace "End program"
// gives a program between SIGTERM and SIGKILL, and the longest a
// read-only share link works.
type lifeConfig struct {
	StopGrace   time.Duration
	MaxShareAge time.Duration
}

// lifeFlags registers --stop-grace and --max-share-age with their
// environment twins.
func lifeFlags(fs *flag.FlagSet, getenv func(string) string, c *lifeConfig, stderr io.Writer) error {
	c.StopGrace, c.MaxShareAge = handlers.DefaultStopGrace, handlers.DefaultMaxShareAge
	if err := durationEnv(getenv, "CT_STOP_GRACE", &c.StopGrace, stderr); err != nil {
		return err
	}
	if err := durationEnv(getenv, "CT_MAX_SHARE_AGE", &c.MaxShareAge, stderr); err != nil {
		return err
	}
	fs.DurationVar(&c.StopGrace, "stop-grace", c.StopGrace, "End program sends SIGTERM, then SIGKILL if the program still runs after this (env CT_STOP_GRACE)")
	fs.DurationVar(&c.MaxShareAge, "max-share-age", c.MaxShareAge, "the longest a read-only share link of a session works (env CT_MAX_SHARE_AGE)")
	return nil
}

// checkLife refuses settings that cannot work.
func checkLife(c lifeConfig, stderr io.Writer) error {
	if c.StopGrace < 100*time.Millisecond || c.StopGrace > 5*time.Minute {
		fmt.Fprintln(stderr, "ct serve: --stop-grace must be a duration between 100ms and 5m, like 10s")
		return errUsage
	}
	if c.MaxShareAge < time.Hour {
		fmt.Fprintln(stderr, "ct serve: --max-share-age must be at least 1h (share links offer 1 hour and up), like 168h")
		return errUsage
	}
	return nil
}
