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

// coordFlags adds --hub, --token and --as to fs: the settings of a ct
// command that calls the coordination API.
func coordFlags(fs *flag.FlagSet, getenv func(string) string) (hub, token, peer *string) {
	hub = fs.String("hub", envOr(getenv, "CT_HUB", ""), "hub URL (env CT_HUB; default: the hub ct login saved)")
	// CT_API_TOKEN first: under ct wrap, CT_TOKEN is often the wrap's machine token.
	token = fs.String("token", envOr(getenv, "CT_API_TOKEN", envOr(getenv, "CT_TOKEN", "")), "an API token, cta_... (env CT_API_TOKEN or CT_TOKEN)")
	peer = fs.String("as", envOr(getenv, "CT_PEER", ""), "act as this peer name (env CT_PEER; default: the token's name)")
	return
}

// splitArgs parses flags wherever they appear (ct lock NAME --ttl 5m as
// well as ct lock --ttl 5m NAME) and returns the positional arguments.
func splitArgs(fs *flag.FlagSet, args []string, stderr io.Writer) ([]string, error) {
	var pos []string
	for {
		if err := parseFlags(fs, args, stderr); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		rest := fs.Args()
		if rest[0] == "--" {
			return append(pos, rest[1:]...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// groupHelp answers a command with subcommands (ct msg, ct todo, ct skill)
// called with none, or asking for help: it prints usage and reports done,
// with a usage error when no subcommand was given.
func groupHelp(args []string, usage string, stdout io.Writer) (done bool, err error) {
	if len(args) > 0 && args[0] != "-h" && args[0] != "--help" && args[0] != "help" {
		return false, nil
	}
	fmt.Fprintln(stdout, usage)
	if len(args) == 0 {
		return true, errUsage
	}
	return true, nil
}
