package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/ct-dev/ct/client"
	"github.com/ct-dev/ct/nodeagent"
	"github.com/ct-dev/ct/ptywrap"
)

// nodeConfig is ct node's settings after the config file, flags and
// environment (flag > env > file > default).
type nodeConfig struct {
	Hub     string   `json:"hub"`
	Name    string   `json:"name"`
	Token   string   `json:"-"` // never in a file that may be shared: flag, env or ct login
	Allow   []string `json:"allow"`
	Roots   []string `json:"roots"`
	Socket  string   `json:"socket"`
	NoHooks bool     `json:"no_hooks"`
	// ShareDirs are shared by every session the node starts (--share-dir).
	ShareDirs []string `json:"share_dirs"`
	// ShareApprove: each read by another peer waits for approval
	// (--share-approve, "share_approve").
	ShareApprove bool `json:"share_approve"`
}

// listFlag collects a repeatable flag (--root A --root B).
type listFlag struct {
	vals *[]string
	set  bool
}

func (l *listFlag) String() string { return "" }
func (l *listFlag) Set(v string) error {
	if !l.set { // the first flag replaces the config file's list
		*l.vals, l.set = nil, true
	}
	*l.vals = append(*l.vals, v)
	return nil
}

func parseNode(args []string, getenv func(string) string, stdout, stderr io.Writer) (nodeConfig, error) {
	var c nodeConfig
	// The config file is read first so that flags override it.
	if path := configArg(args, getenv("CT_NODE_CONFIG")); path != "" {
		b, err := os.ReadFile(path)
		if err != nil {
			fmt.Fprintf(stderr, "ct node: %v\n", err)
			return c, errUsage
		}
		if err := json.Unmarshal(b, &c); err != nil {
			fmt.Fprintf(stderr, "ct node: %s is not a JSON config like {\"allow\":[\"claude\"],\"roots\":[\"~/src\"]}: %v\n", path, err)
			return c, errUsage
		}
	}
	fs := newFlagSet("node", `Usage: ct node --hub URL --allow 'claude,bash' --root ~/src [--root DIR...] [flags]

Runs this workstation's daemon: it registers the machine with the hub over
one outbound WebSocket and starts sessions when a permitted person asks from
the hub ("+ New session" in the lobby, or POST /api/v1/nodes/NAME/sessions).
The node decides, never the hub: only commands on --allow, only in
directories under a --root. Sessions run under a PTY with no terminal, are
streamed like ct wrap's, and keep running while the hub is away. Attach this
terminal to one with ct attach SESSION (detach with Ctrl-]). Stopping the
node hangs its sessions up.`, stdout)
	fs.String("config", "", "JSON file with hub, name, allow, roots, socket, share_dirs (env CT_NODE_CONFIG)")
	defHub, _ := client.DefaultHub(getenv)
	if getenv("CT_HUB") == "" && c.Hub != "" {
		defHub = c.Hub // --config's hub
	}
	fs.StringVar(&c.Hub, "hub", defHub, "hub URL (env CT_HUB; default: --config's, else the hub ct login saved last, else "+client.LocalHub+")")
	fs.StringVar(&c.Name, "name", envOr(getenv, "CT_NAME", c.Name), "machine name shown on the hub (env CT_NAME; default: hostname)")
	fs.StringVar(&c.Token, "token", envOr(getenv, "CT_TOKEN", ""), "machine token for the hub (env CT_TOKEN; default: ct login's)")
	if v := getenv("CT_NODE_ALLOW"); v != "" {
		c.Allow = []string{v}
	}
	fs.Var(&listFlag{vals: &c.Allow}, "allow", "commands the hub may start here, comma-separated (env CT_NODE_ALLOW)")
	fs.Var(&listFlag{vals: &c.Roots}, "root", "directory sessions may start in or below; repeat for more")
	fs.Var(&listFlag{vals: &c.ShareDirs}, "share-dir", "a directory every session of this node shares with the hub's peers (read only, as ct wrap --share-dir); repeat for more")
	fs.BoolVar(&c.ShareApprove, "share-approve", c.ShareApprove || getenv("CT_SHARE_APPROVE") == "1", "with --share-dir: each file another peer reads waits for approval on the hub, as ct wrap --share-approve (env CT_SHARE_APPROVE=1)")
	fs.StringVar(&c.Socket, "socket", envOr(getenv, "CT_NODE_SOCKET", or(c.Socket, nodeagent.DefaultSocket(getenv))), "unix socket ct attach connects to (env CT_NODE_SOCKET)")
	fs.BoolVar(&c.NoHooks, "no-hooks", c.NoHooks || getenv("CT_NO_HOOKS") == "1", "for claude: do not inject ct's hooks (env CT_NO_HOOKS=1)")
	if err := parseFlags(fs, args, stderr); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "ct node: unexpected argument %q (see ct node --help)\n", fs.Arg(0))
		return c, errUsage
	}
	if c.Token == "" {
		if saved, ok := client.SavedCredentials(getenv, c.Hub); ok {
			c.Token = saved.Token
			if c.Name == "" {
				c.Name = saved.Machine
			}
		}
	}
	return c, nil
}

// configArg finds --config's value before the flags are parsed.
func configArg(args []string, def string) string {
	for i, a := range args {
		switch {
		case a == "--config" || a == "-config":
			if i+1 < len(args) {
				return args[i+1]
			}
		case strings.HasPrefix(a, "--config="), strings.HasPrefix(a, "-config="):
			return a[strings.Index(a, "=")+1:]
		case a == "--":
			return def
		}
	}
	return def
}

func or(v, def string) string {
	if v != "" {
		return v
	}
	return def
}

func runNode(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	c, err := parseNode(args, getenv, stdout, stderr)
	if err != nil {
		return err
	}
	policy, err := nodeagent.NewPolicy(c.Allow, c.Roots)
	if err != nil {
		fmt.Fprintf(stderr, "ct node: %v\n", err)
		return errUsage
	}
	files, closeFiles, err := openShares("node", c.ShareDirs, c.ShareApprove, stderr)
	if err != nil {
		return err
	}
	defer closeFiles()
	log := slog.New(slog.NewTextHandler(stderr, nil))
	log.Info("ct node starting", "hub", c.Hub, "name", c.Name, "allow", strings.Join(policy.Allow, ","), "roots", strings.Join(policy.Roots, ","), "socket", c.Socket)
	a := nodeagent.New(nodeagent.Config{
		Hub: c.Hub, Token: c.Token, Name: c.Name, Policy: policy, Version: version,
		Socket: c.Socket, Spool: ptywrap.DefaultSpool, NoHooks: c.NoHooks, Log: log, Files: files,
	})
	return a.Run(ctx)
}
