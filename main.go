// Command ct lets a small team watch, drive and coordinate coding-agent
// sessions across workstations from any browser. main only dispatches.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/ct-dev/ct/ptywrap"
)

// version is stamped at build time: -ldflags "-X main.version=v1.2.3".
var version = "dev"

const usage = `ct — watch, drive and coordinate coding-agent sessions from any browser

Usage:
  ct up [--] [COMMAND]                  first try: the hub, ct login and ct wrap in one terminal
  ct serve [flags]                      run the hub (web UI, API, store)
  ct wrap [flags] [--] [COMMAND [ARGS]] run a program under a PTY, streamed to the hub
  ct node --allow CMDS --root DIR       run the daemon that starts sessions on request
  ct attach [SESSION]                   attach this terminal to a session ct node runs (Ctrl-] detaches)
  ct msg send|ls|read|ack               messages between people and agents (see ct msg --help)
  ct lock NAME | unlock NAME | locks    advisory locks with leases on the hub
  ct reserve GLOB... | --list           reserve paths of a repository on the hub (--release ID)
  ct guard install|check                a git pre-commit hook refusing commits on others' reserved paths
  ct state get|set|watch KEY            shared state keys with history, changes pushed
  ct todo add|ls|start|done             shared todos
  ct remind --cron EXPR|--at T --to P   reminders, delivered as messages
  ct skill ls|get|share                 the shared skills catalog (see ct skill --help)
  ct files ls|get PEER [PATH]           list and read what a peer shares (ct wrap --share-dir)
  ct events [--since ID]                wait for the hub's events you may see (JSON lines)
  ct clock [set N|pause|resume|report]  the simulation clock (see ct clock --help)
  ct bridge --a URL --b URL --tag T     relay NAME@HUB and #T-tagged messages between two hubs; peers remote
  ct connect telegram|slack             relay a chat and the hub both ways, approvals answerable from it
  ct mcp                                MCP stdio server with the coordination tools, for agents
  ct mcp-proxy ls|call SERVER TOOL JSON the MCP servers peers host through the hub; call one's tool
  ct healthcheck [--addr URL]           exit 0 if the hub answers /healthz (Docker HEALTHCHECK)
  ct backup [--hub URL] > FILE          copy a running hub's store (needs an admin API token)
  ct restore [--data DIR] FILE          make a backup the store of a stopped hub
  ct compact [--data DIR]               shrink a stopped hub's store file
  ct login [--hub URL]                  save this workstation's tokens (machine, and yours for ct msg)
  ct token create --hub URL --name N    create a token (CT_USER/CT_PASSWORD), print it
  ct audit verify [--data DIR]          check the audit log's hash chain (hub stopped)
  ct hook EVENT                         (called by Claude Code's hooks under ct wrap)
  ct appserver [-- PROMPT]              (run by ct node: Codex through codex app-server)
  ct flush [FILE...]                    deliver session output kept after the hub was down when a wrap exited
  ct version                            print the version

Run 'ct COMMAND --help' for a command's flags.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	var exit ptywrap.ExitError
	switch {
	case errors.As(err, &exit):
		os.Exit(exit.Code)
	case errors.Is(err, errHelp):
		os.Exit(0)
	case errors.Is(err, errUsage):
		os.Exit(2)
	case err != nil:
		fmt.Fprintln(os.Stderr, "ct:", err)
		os.Exit(1)
	}
}

var (
	errHelp  = errors.New("help requested")
	errUsage = errors.New("usage error")
)

func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errUsage
	}
	switch args[0] {
	case "up":
		return runUp(ctx, args[1:], getenv, stdin, stdout, stderr)
	case "serve":
		return runServe(ctx, args[1:], getenv, stdout, stderr)
	case "wrap":
		wrapProcs(getenv)
		return runWrap(ctx, args[1:], getenv, stdin, stdout, stderr)
	case "node":
		return runNode(ctx, args[1:], getenv, stdout, stderr)
	case "attach":
		return runAttach(ctx, args[1:], getenv, stdin, stdout, stderr)
	case "msg":
		return runMsg(ctx, args[1:], getenv, stdin, stdout, stderr)
	case "lock", "unlock", "locks":
		return runLock(ctx, args[0], args[1:], getenv, stdout, stderr)
	case "reserve":
		return runReserve(ctx, args[1:], getenv, stdout, stderr)
	case "guard":
		return runGuard(ctx, args[1:], getenv, stdout, stderr)
	case "state":
		return runState(ctx, args[1:], getenv, stdin, stdout, stderr)
	case "todo":
		return runTodo(ctx, args[1:], getenv, stdout, stderr)
	case "remind":
		return runRemind(ctx, args[1:], getenv, stdout, stderr)
	case "skill":
		return runSkill(ctx, args[1:], getenv, stdin, stdout, stderr)
	case "files":
		return runFiles(ctx, args[1:], getenv, stdout, stderr)
	case "events":
		return runEvents(ctx, args[1:], getenv, stdout, stderr)
	case "clock":
		return runClock(ctx, args[1:], getenv, stdout, stderr)
	case "bridge":
		return runBridge(ctx, args[1:], getenv, stdout, stderr)
	case "connect":
		return runConnect(ctx, args[1:], getenv, stdout, stderr)
	case "mcp":
		return runMCP(ctx, args[1:], getenv, stdout, stderr)
	case "mcp-proxy":
		return runMCPProxy(ctx, args[1:], getenv, stdout, stderr)
	case "healthcheck":
		return runHealthcheck(ctx, args[1:], getenv, stdout, stderr)
	case "backup":
		return runBackup(ctx, args[1:], getenv, stdout, stderr)
	case "restore":
		return runRestore(ctx, args[1:], getenv, stdin, stdout, stderr)
	case "compact":
		return runCompact(ctx, args[1:], getenv, stdout, stderr)
	case "login":
		return runLogin(ctx, args[1:], getenv, stdin, stdout, stderr)
	case "token":
		return runToken(ctx, args[1:], getenv, stdout, stderr)
	case "audit":
		return runAudit(ctx, args[1:], getenv, stdout, stderr)
	case "appserver":
		return runAppServer(ctx, args[1:], getenv, stdin, stdout, stderr)
	case "hook":
		return runHook(ctx, args[1:], getenv, stdin, stdout, stderr)
	case "flush":
		return runFlush(ctx, args[1:], getenv, stdout, stderr)
	case "version", "--version", "-v":
		fmt.Fprintln(stdout, "ct", version)
		return nil
	case "help", "--help", "-h":
		fmt.Fprint(stdout, usage)
		return nil
	default:
		fmt.Fprintf(stderr, "ct: unknown command %q\n\n%s", args[0], usage)
		return errUsage
	}
}
