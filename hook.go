package main

import (
	"context"
	"fmt"
	"io"

	"github.com/ct-dev/ct/claudehook"
)

const hookUsage = `Usage: ct hook EVENT

Called by Claude Code's and Gemini CLI's hooks, which ct wrap injects; not for
people. Reads the hook's JSON payload on stdin and passes it to its ct wrap
over the socket named by CT_HOOK_SOCK. For PermissionRequest (Claude Code)
and BeforeTool (Gemini) it waits for an answer from the hub and prints the
decision JSON. It never fails
Claude Code: any problem ends it at once with no output ("no decision"), and
Claude Code's own dialog decides.
`

func runHook(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) != 1 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprint(stdout, hookUsage)
		if len(args) == 1 {
			return errHelp
		}
		return nil // never a failing exit status for Claude Code
	}
	claudehook.RunHook(ctx, args[0], stdin, stdout, getenv)
	return nil
}
