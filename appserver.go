package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"

	"github.com/ct-dev/ct/appserver"
)

// runAppServer is `ct appserver`: ct node runs it under a session's PTY for
// a "Codex (app-server)" session.
func runAppServer(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlagSet("appserver", `Usage: ct appserver [--codex PATH] [--cwd DIR] [--transcript FILE] [-- PROMPT]

Runs Codex through its machine protocol (codex app-server, JSON-RPC on
stdio) instead of its terminal UI. Each line typed here is a prompt; the
conversation is printed as plain text; every approval Codex asks for goes to
the hub through the session's hook socket (CT_HOOK_SOCK) and, without an
answer from there, is asked here ([y]es, [a] for this session, [n]o).
ct node runs it for sessions started as "Codex (app-server)"; it is not
meant to be run by hand.`, stdout)
	codex := fs.String("codex", "codex", "the codex executable")
	cwd := fs.String("cwd", "", "the thread's working directory (default: the current one)")
	transcript := fs.String("transcript", "", "file the transcript entries are appended to (JSON lines)")
	if err := parseFlags(fs, args, stderr); err != nil {
		return err
	}
	dir := *cwd
	if dir == "" {
		dir, _ = os.Getwd()
	}
	path, err := exec.LookPath(*codex)
	if err != nil {
		fmt.Fprintf(stderr, "ct appserver: %s: not found; install Codex (npm install -g @openai/codex) or pass --codex PATH\n", *codex)
		return errUsage
	}
	return appserver.Run(ctx, appserver.Config{
		Codex: path, Cwd: dir, Prompt: strings.Join(fs.Args(), " "), Transcript: *transcript,
		Version: version, Stdin: stdin, Stdout: stdout, Getenv: getenv,
	})
}
