package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"time"

	"github.com/ct-dev/ct/client"
	"github.com/ct-dev/ct/platform"
	"github.com/ct-dev/ct/ptywrap"
)

// flushFor bounds a detached ct flush: long enough for a hub restart or a
// short outage, short enough that no process lingers for days; what is not
// delivered by then waits for the next ct wrap or ct flush.
const flushFor = 15 * time.Minute

func runFlush(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("flush", `Usage: ct flush [flags] [FILE...]

Delivers to the hub what a session could not send before its ct wrap exited
(the hub was down or restarting when the program ended). ct wrap keeps such a
tail in a file of its own in the state directory ($XDG_STATE_HOME/ct/pending,
else ~/.local/state/ct/pending) and starts ct flush for it in the background;
the next ct wrap also starts one for tails left over. With no FILE, every
pending tail is tried. A tail is removed once the hub has acknowledged all of
it. The token is --token / CT_TOKEN, else the one ct login saved for the
tail's hub.`, stdout)
	token := fs.String("token", envOr(getenv, "CT_TOKEN", ""), "machine token for the hub (env CT_TOKEN; default: saved by ct login)")
	wait := fs.Duration("for", time.Minute, "keep trying each tail for this long")
	quiet := fs.Bool("quiet", false, "print nothing (for the background run ct wrap starts)")
	if err := parseFlags(fs, args, stderr); err != nil {
		return err
	}
	paths := fs.Args()
	if len(paths) == 0 {
		dir, err := ptywrap.TailDir(getenv)
		if err != nil {
			return err
		}
		paths = ptywrap.PendingTails(dir)
		if len(paths) == 0 && !*quiet {
			fmt.Fprintf(stdout, "nothing to deliver in %s\n", dir)
		}
	}
	out := stdout
	if *quiet {
		out = io.Discard
	}
	var failed error
	for _, p := range paths {
		tctx, cancel := context.WithTimeout(ctx, *wait)
		n, err := ptywrap.DeliverTail(tctx, p, tailToken(getenv, *token, p))
		cancel()
		switch {
		case errors.Is(err, ptywrap.ErrTailBusy):
			fmt.Fprintf(out, "%s: another ct flush is delivering it\n", p)
		case err != nil:
			fmt.Fprintf(out, "%s: %v\n", p, err)
			failed = fmt.Errorf("some session output is still waiting for its hub; run ct flush again when the hub is up")
		default:
			fmt.Fprintf(out, "%s: delivered %d bytes\n", p, n)
		}
	}
	return failed
}

// tailToken is the token for a tail's hub: the flag or environment, else
// the one ct login saved for that hub.
func tailToken(getenv func(string) string, token, path string) string {
	if token != "" {
		return token
	}
	if hub, err := ptywrap.TailHub(path); err == nil {
		if saved, ok := client.SavedCredentials(getenv, hub); ok {
			return saved.Token
		}
	}
	return ""
}

// startFlush runs ct flush in the background, detached from this terminal
// and process group, so ct wrap exits at once while the tail is delivered.
// The token goes in its environment, never on its command line (ps).
func startFlush(token string, paths ...string) {
	self, err := os.Executable()
	if err != nil {
		return
	}
	cmd := exec.Command(self, append([]string{"flush", "--quiet", "--for", flushFor.String()}, paths...)...)
	cmd.Env = append(os.Environ(), "CT_TOKEN="+token)
	// Its own session: Ctrl-C at the shell and the terminal closing do not
	// reach it. Stdio is /dev/null: it must hold no pipe of its parent open.
	platform.Detach(cmd)
	if cmd.Start() == nil {
		_ = cmd.Process.Release()
	}
}
