package main

import (
	"flag"
	"fmt"
	"io"

	"github.com/ct-dev/ct/handlers"
	"github.com/ct-dev/ct/wire"
)

// attachConfig is the composer's file limits.
type attachConfig struct {
	Max        byteSize // one file sent with a prompt
	SessionMax byteSize // the files one session keeps on the hub
}

// attachFlags adds --attach-max and --attach-session-max.
func attachFlags(fs *flag.FlagSet, getenv func(string) string, c *attachConfig, stderr io.Writer) error {
	return byteFlags(fs, getenv, stderr, []byteFlag{
		{"attach-max", "CT_ATTACH_MAX", fmt.Sprintf("largest file a person attaches to a prompt on the session page, e.g. 10MiB (at most %dMiB)", wire.MaxAttach>>20), &c.Max, handlers.DefaultAttachMax},
		{"attach-session-max", "CT_ATTACH_SESSION_MAX", "attachments one session keeps on the hub, e.g. 100MiB; past it the composer refuses files", &c.SessionMax, handlers.DefaultAttachSessionMax},
	})
}

// checkAttach refuses limits the wire cannot carry or that make no sense.
func checkAttach(c attachConfig, stderr io.Writer) error {
	if c.Max < 1 || c.Max > wire.MaxAttach {
		fmt.Fprintf(stderr, "ct serve: --attach-max must be 1 byte to %dMiB\n", wire.MaxAttach>>20)
		return errUsage
	}
	if c.SessionMax < c.Max {
		fmt.Fprintln(stderr, "ct serve: --attach-session-max must be at least --attach-max")
		return errUsage
	}
	return nil
}
