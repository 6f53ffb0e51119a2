package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/ct-dev/ct/agent"
	"github.com/ct-dev/ct/client"
	"github.com/ct-dev/ct/db"
	"github.com/ct-dev/ct/ptywrap"
	"github.com/ct-dev/ct/wire"
)

// wrapConfig is ct wrap's settings after flags and environment.
type wrapConfig struct {
	Hub     string
	Name    string
	Token   string
	Spool   int
	NoHooks bool
	Agent   agent.Adapter // --agent, else guessed from the command's name
	Title   string        // --title: the session's title on the hub
	Tags    []string      // --tag (repeatable), else CT_TAGS (comma-separated)
	Command []string
	// ShareDirs are the directories peers may list and read through the
	// hub (--share-dir, repeatable; env CT_SHARE_DIRS, a path list).
	ShareDirs []string
	// ShareApprove makes each read of a shared file by another peer wait
	// for this person's approval on the hub (--share-approve).
	ShareApprove bool
}

// wrapUsage is ct wrap --help's text above its flags.
const wrapUsage = `Usage: ct wrap [flags] [--] [COMMAND [ARGS...]]

Runs COMMAND (default: claude) under a PTY in this terminal, exactly as if run
directly, and streams it to the hub so it can be watched and typed into from a
browser. The program never waits on the hub: if the hub is unreachable the
program runs anyway and wrap reconnects in the background (1 s doubling to
4 s). Output not yet acknowledged by the hub is kept in a spool of at most
--spool bytes (default 16 MiB); beyond that the oldest output is dropped and
the hub is told how much. wrap exits with the program's exit status
(128+signal when it was killed). With no terminal on stdin, EOF on stdin only
ends local input; the program keeps running for input from the hub.

wrap tells the hub which agent adapter runs the program and whether ct's
hooks are live. The adapter is guessed from the program's name (claude is
Claude Code, codex is Codex, gemini is Gemini CLI, anything else is plain);
--agent overrides the guess. Claude Code, Codex and Gemini CLI get ct's hooks
(approvals from the hub, the transcript; never by editing your own settings
files) unless --no-hooks is set or they cannot be set up; a session without
live hooks gets the hub's screen rules (agents' dialogs and yes/no questions on
screen become prompts). Codex runs with --no-daemon and ct's hooks given with
-c; while the hub waits on a Codex question, any key at this terminal hands it
to Codex's own dialog.

--share-dir DIR (repeatable) lets the hub's other peers list and read the
files under DIR (MCP list_peer_files / get_peer_file, ct files ls|get):
read only, files up to 1 MiB, listings up to 1,000 entries, never a path
outside DIR and never through a symbolic link; every read is in the hub's
audit log. With --share-approve each file another peer reads waits for your
Approve on the hub's approvals page (deny, or no answer in ct serve's
--share-approve-wait, refuses it).`

func parseWrap(args []string, getenv func(string) string, stdout, stderr io.Writer) (wrapConfig, error) {
	var c wrapConfig
	fs := newFlagSet("wrap", wrapUsage, stdout)
	defHub, _ := client.DefaultHub(getenv)
	fs.StringVar(&c.Hub, "hub", defHub, "hub URL (env CT_HUB; default: the hub ct login saved last, else "+client.LocalHub+")")
	fs.StringVar(&c.Name, "name", envOr(getenv, "CT_NAME", ""), "machine name shown on the hub (env CT_NAME; default: hostname)")
	fs.StringVar(&c.Token, "token", envOr(getenv, "CT_TOKEN", ""), "machine token for the hub (env CT_TOKEN)")
	spoolDefault := ptywrap.DefaultSpool
	if v := getenv("CT_SPOOL"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			fmt.Fprintf(stderr, "ct wrap: CT_SPOOL=%q is not a positive number of bytes\n", v)
			return c, errUsage
		}
		spoolDefault = n
	}
	fs.IntVar(&c.Spool, "spool", spoolDefault, "bytes of output kept for the hub until acknowledged (env CT_SPOOL)")
	fs.BoolVar(&c.NoHooks, "no-hooks", getenv("CT_NO_HOOKS") == "1", "for claude, codex and gemini: do not inject ct's hooks (the hub's screen rules instead) (env CT_NO_HOOKS=1)")
	fs.StringVar(&c.Title, "title", envOr(getenv, "CT_TITLE", ""), "the session's title on the hub (env CT_TITLE; default: Claude's first prompt, else the command line)")
	agentName := fs.String("agent", envOr(getenv, "CT_AGENT", ""), "agent adapter: "+strings.Join(agent.Names(), " or ")+" (env CT_AGENT; default: guessed from the command's name)")
	var tags []string
	fs.Func("tag", "label the session on the hub, e.g. --tag prod (repeatable); approval rules match tags (env CT_TAGS, comma-separated)", func(v string) error {
		tags = append(tags, v)
		return nil
	})
	if v := getenv("CT_SHARE_DIRS"); v != "" {
		c.ShareDirs = filepath.SplitList(v)
	}
	fs.Var(&listFlag{vals: &c.ShareDirs}, "share-dir", "a directory peers may list and read through the hub; repeat for more (env CT_SHARE_DIRS, a path list)")
	fs.BoolVar(&c.ShareApprove, "share-approve", getenv("CT_SHARE_APPROVE") == "1", "with --share-dir: each file another peer reads waits for your approval on the hub (an approval card; deny or no answer refuses it) (env CT_SHARE_APPROVE=1)")
	if err := parseFlags(fs, args, stderr); err != nil {
		return c, err
	}
	c.Tags = tags
	if c.Tags == nil && getenv("CT_TAGS") != "" {
		c.Tags = strings.Split(getenv("CT_TAGS"), ",")
	}
	if err := wire.CheckTags(c.Tags); err != nil {
		fmt.Fprintf(stderr, "ct wrap: --tag: %v\n", err)
		return c, errUsage
	}
	if c.Token == "" {
		// ct login saved a machine token (and its machine name) for this hub.
		if saved, ok := client.SavedCredentials(getenv, c.Hub); ok {
			c.Token = saved.Token
			if c.Name == "" {
				c.Name = saved.Machine
			}
		}
	}
	if len(c.Title) > 4*db.MaxTitle || (c.Title != "" && db.CleanTitle(c.Title) == "") {
		fmt.Fprintf(stderr, "ct wrap: --title: give a title of 1-%d printable characters\n", db.MaxTitle)
		return c, errUsage
	}
	c.Command = fs.Args()
	if len(c.Command) == 0 {
		c.Command = []string{"claude"}
	}
	c.Agent = agent.Detect(c.Command[0])
	if *agentName != "" {
		a, err := agent.ByName(*agentName)
		if err != nil {
			fmt.Fprintf(stderr, "ct wrap: --agent: %v\n", err)
			return c, errUsage
		}
		c.Agent = a
	}
	return c, nil
}

// wrapProcs runs ct wrap's own Go code on one P unless the GOMAXPROCS
// environment variable says otherwise. The wrap is I/O between a PTY, the
// terminal and one socket; with two Ps its goroutines hop between threads
// on every chunk and keystroke (issue 17.3, BENCHMARKS.md: −25 % of its CPU
// for 100 MiB, −50 % per gapped keystroke, context switches near script's).
// Only the process: the wrapped program's environment is untouched.
func wrapProcs(getenv func(string) string) {
	if getenv("GOMAXPROCS") == "" {
		runtime.GOMAXPROCS(1)
	}
}

func runWrap(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	c, err := parseWrap(args, getenv, stdout, stderr)
	if err != nil {
		return err
	}
	launch, err := c.Agent.Prepare("", c.Command[1:], c.NoHooks)
	if err != nil {
		// Approvals from the hub are lost, the session is not: run plain.
		fmt.Fprintf(stderr, "ct wrap: cannot set up %s hooks (%v); approvals only at the terminal\n", c.Agent.Name, err)
	}
	defer launch.Close()
	files, closeFiles, err := openShares("wrap", c.ShareDirs, c.ShareApprove, stderr)
	if err != nil {
		return err
	}
	defer closeFiles()
	cfg := ptywrap.Config{
		Command: c.Command[0], Args: launch.Args, ShownArgs: launch.ShownArgs, Env: launch.Env, Plugin: launch.Plugin,
		Agent: launch.Agent, Hooks: launch.Hooks, Tags: c.Tags, Hub: c.Hub, Token: c.Token, Name: c.Name,
		Spool: c.Spool, Version: version, Stdin: stdin, Stdout: stdout, Stderr: stderr,
		FinalWait: 5 * time.Second, Title: c.Title, Files: files,
	}
	if cwd, err := os.Getwd(); err == nil { // the program runs here
		cfg.Commands = c.Agent.SlashCommands(cwd)
	}
	// Output the hub has not taken when the program ends is kept and sent
	// by a background ct flush; tails an earlier wrap left are sent too.
	if dir, err := ptywrap.TailDir(getenv); err == nil {
		cfg.TailDir = dir
		cfg.OnTailKept = func(path string) { startFlush(c.Token, path) }
		if len(ptywrap.PendingTails(dir)) > 0 {
			startFlush("") // each tail's own saved token
		}
	}
	code, err := ptywrap.Run(ctx, cfg)
	if err != nil {
		fmt.Fprintln(stderr, "ct wrap:", err)
	}
	if code != 0 {
		return ptywrap.ExitError{Code: code}
	}
	return nil
}
