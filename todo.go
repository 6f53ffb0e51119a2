package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/ct-dev/ct/client"
	"github.com/ct-dev/ct/coord"
)

const todoUsage = `Usage:
  ct todo add TITLE [--notes N] [--assignee PEER] [--private]
  ct todo ls [--state open|doing|done] [--private|--shared]
  ct todo start ID     mark it doing
  ct todo done ID      mark it done

Shared todos on the hub. Changes made while the hub is away are queued on
this machine and delivered, in order, by the next ct command. --private
todos are in your private space: only you and your own agents see them
(ls shows both, private ones marked; --private or --shared narrows it).`

func runTodo(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if done, err := groupHelp(args, todoUsage, stdout); done {
		return err
	}
	fs := newFlagSet("todo", todoUsage, stdout)
	hub, token, peer := coordFlags(fs, getenv)
	notes := fs.String("notes", "", "add: details")
	assignee := fs.String("assignee", "", "add: who does it")
	state := fs.String("state", "", "ls: only this state")
	private := fs.Bool("private", false, "add: into your private space; ls: only your private todos")
	shared := fs.Bool("shared", false, "ls: only the shared todos")
	pos, err := splitArgs(fs, args[1:], stderr)
	if err != nil {
		return err
	}
	c, err := client.Open(getenv, client.Settings{Hub: *hub, Token: *token, Peer: *peer}, stderr)
	if err != nil {
		return err
	}
	report := func(queued bool, what string) {
		if queued {
			fmt.Fprintf(stdout, "queued: the hub is unreachable; %s will be delivered by the next ct command (%d waiting)\n", what, c.Queued())
		}
	}
	switch args[0] {
	case "add":
		if len(pos) == 0 {
			fmt.Fprintln(stderr, "ct todo add: give a title")
			return errUsage
		}
		t := coord.Todo{Title: strings.Join(pos, " "), Notes: *notes, Assignee: *assignee}
		if *private {
			t.Private = coord.PrivateMe
		}
		t, queued, err := c.AddTodo(ctx, t)
		if err != nil {
			return err
		}
		report(queued, "the new todo")
		if !queued {
			fmt.Fprintf(stdout, "added todo %s: %s\n", t.ID, t.Title)
		}
		return nil
	case "done", "start", "open":
		if len(pos) != 1 {
			fmt.Fprintf(stderr, "ct todo %s: give one todo id\n", args[0])
			return errUsage
		}
		st := map[string]string{"done": coord.TodoDone, "start": coord.TodoDoing, "open": coord.TodoOpen}[args[0]]
		t, queued, err := c.UpdateTodo(ctx, pos[0], coord.TodoUpdate{State: &st})
		if err != nil {
			return err
		}
		report(queued, "the change to todo "+pos[0])
		if !queued {
			fmt.Fprintf(stdout, "todo %s is %s: %s\n", t.ID, t.State, t.Title)
		}
		return nil
	case "ls":
		return listTodos(ctx, c, *private, *shared, *state, stdout, stderr)
	}
	fmt.Fprintf(stderr, "ct todo: unknown action %q\n%s\n", args[0], todoUsage)
	return errUsage
}

// listTodos is ct todo ls: the todos in scope (--private, --shared, or
// both kinds), after delivering any queued changes.
func listTodos(ctx context.Context, c *client.Client, private, shared bool, state string, stdout, stderr io.Writer) error {
	if err := c.Flush(ctx); err != nil {
		fmt.Fprintf(stderr, "ct todo: queued changes wait: %v\n", err)
	}
	scope := coord.TodoScopeAll
	switch {
	case private && shared:
		return fmt.Errorf("ct todo ls: give --private or --shared, not both (neither lists both)")
	case private:
		scope = coord.TodoScopePrivate
	case shared:
		scope = coord.TodoScopeShared
	}
	list, err := c.ListTodos(ctx, scope, state)
	if err != nil {
		return err
	}
	if len(list) == 0 {
		emptyList(stderr, "no todos", "ct todo add TITLE adds one")
	}
	for _, t := range list {
		title := t.Title
		if t.Private != "" {
			title = "(private) " + title
		}
		fmt.Fprintf(stdout, "%s\t%s\t%s\t%s\t%s\n", t.ID, t.State, t.Assignee, t.CreatedBy, title)
	}
	return nil
}
