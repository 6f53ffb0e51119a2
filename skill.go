package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/ct-dev/ct/client"
	"github.com/ct-dev/ct/coord"
)

const skillUsage = `Usage:
  ct skill ls                                   the shared skills (newest versions)
  ct skill get NAME [--version N]               one skill: its instructions, then its files
  ct skill share NAME --description D [--file PATH]... < INSTRUCTIONS
  ct events [--since ID] [--timeout 30s] [--types lock,todo,...]

Skills are instructions (and a few small files) one peer shares with all;
sharing a name again adds a version. ct events waits for the hub's events
you may see and prints them as JSON lines, then "next ID" to resume from.`

// fileList collects repeated --file flags.
type fileList []string

func (f *fileList) String() string     { return strings.Join(*f, ",") }
func (f *fileList) Set(v string) error { *f = append(*f, v); return nil }

func runSkill(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if done, err := groupHelp(args, skillUsage, stdout); done {
		return err
	}
	fs := newFlagSet("skill", skillUsage, stdout)
	hub, token, peer := coordFlags(fs, getenv)
	desc := fs.String("description", "", "share: one line on when to use it")
	version := fs.Int("version", 0, "get: this version (default the newest)")
	var files fileList
	fs.Var(&files, "file", "share: a file to include (repeat); its path as given, relative")
	pos, err := splitArgs(fs, args[1:], stderr)
	if err != nil {
		return err
	}
	c, err := client.Open(getenv, client.Settings{Hub: *hub, Token: *token, Peer: *peer}, stderr)
	if err != nil {
		return err
	}
	switch {
	case args[0] == "ls":
		list, err := c.ListSkills(ctx)
		if err != nil {
			return err
		}
		for _, k := range list {
			fmt.Fprintf(stdout, "%s v%d by %s: %s\n", k.Name, k.Version, k.SharedBy, k.Description)
		}
		return nil
	case args[0] == "get" && len(pos) == 1:
		k, err := c.GetSkill(ctx, pos[0], *version)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s v%d (of %d) by %s: %s\n\n%s\n", k.Name, k.Version, k.Versions, k.SharedBy, k.Description, k.Instructions)
		for _, f := range k.Files {
			fmt.Fprintf(stdout, "\n--- %s\n%s\n", f.Path, f.Content)
		}
		return nil
	case args[0] == "share" && len(pos) == 1:
		return skillShare(ctx, c, pos[0], *desc, files, stdin, stdout)
	}
	fmt.Fprintln(stderr, skillUsage)
	return errUsage
}

func skillShare(ctx context.Context, c *client.Client, name, desc string, files []string, stdin io.Reader, stdout io.Writer) error {
	instr, err := io.ReadAll(io.LimitReader(stdin, coord.MaxSkillInstructions+1))
	if err != nil {
		return err
	}
	k := coord.Skill{Name: name, Description: desc, Instructions: string(instr)}
	for _, p := range files {
		// Bounded read: the hub refuses a file over MaxSkillFile anyway.
		f, err := os.Open(p)
		if err != nil {
			return fmt.Errorf("ct skill share: %w; --file names a file to include", err)
		}
		b, err := io.ReadAll(io.LimitReader(f, coord.MaxSkillFile+1))
		f.Close()
		if err != nil {
			return err
		}
		k.Files = append(k.Files, coord.SkillFile{Path: p, Content: string(b)})
	}
	out, err := c.ShareSkill(ctx, k)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "shared skill %s version %d\n", out.Name, out.Version)
	return nil
}

func runEvents(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("events", skillUsage, stdout)
	hub, token, peer := coordFlags(fs, getenv)
	since := fs.Int64("since", -1, "the next of the last answer (default: from now)")
	timeout := fs.Duration("timeout", 30*time.Second, "how long to wait for the first event, at most 60s")
	types := fs.String("types", "", "only these types, comma-separated: "+strings.Join(coord.EventTypes, ","))
	if err := parseFlags(fs, args, stderr); err != nil {
		return err
	}
	c, err := client.Open(getenv, client.Settings{Hub: *hub, Token: *token, Peer: *peer}, stderr)
	if err != nil {
		return err
	}
	var ts []string
	if *types != "" {
		ts = strings.Split(*types, ",")
	}
	page, err := c.WaitEvents(ctx, uint64(max(*since, 0)), *since < 0, *timeout, ts)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(stdout)
	for _, e := range page.Events {
		_ = enc.Encode(e)
	}
	if page.Missed {
		fmt.Fprintln(stdout, "missed: events were dropped; re-read your inbox, locks and todos")
	}
	fmt.Fprintf(stdout, "next %d\n", page.Next)
	return nil
}
