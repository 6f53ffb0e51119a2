package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// newFlagSet builds a subcommand's flag set whose --help prints to stdout and
// whose errors say how to get help.
func newFlagSet(name, synopsis string, stdout io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {
		fmt.Fprintf(stdout, "%s\n\nFlags (each has a CT_* environment twin; flag > env > default):\n", synopsis)
		fs.SetOutput(stdout)
		fs.PrintDefaults()
		fs.SetOutput(io.Discard)
	}
	return fs
}

// parseFlags parses args, mapping -h/--help to errHelp and bad flags to a
// usage error that names the problem.
func parseFlags(fs *flag.FlagSet, args []string, stderr io.Writer) error {
	err := fs.Parse(args)
	if errors.Is(err, flag.ErrHelp) {
		return errHelp // the flag package has printed fs.Usage
	}
	if err != nil {
		fmt.Fprintf(stderr, "ct %s: %v (see ct %s --help)\n", fs.Name(), err, fs.Name())
		return errUsage
	}
	return nil
}

// envOr returns getenv(key) or def when unset.
func envOr(getenv func(string) string, key, def string) string {
	if v := strings.TrimSpace(getenv(key)); v != "" {
		return v
	}
	return def
}
