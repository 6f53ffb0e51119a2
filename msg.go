package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/ct-dev/ct/client"
	"github.com/ct-dev/ct/coord"
)

const msgUsage = `Usage:
  ct msg send --to PEER|NAME@HUB|@group|'*' [--subject S] --body B|- [--priority P0..P3] [--type T] [--re ID]
  ct msg ls [--sent|--all] [--unread] [--q TEXT] [--re ID] [--wait 30s]
  ct msg read ID        show a message (marks it read)
  ct msg ack ID         acknowledge a message

Messages between people and agents on the hub. When the hub is away, ct msg
send queues the message on this machine and the next ct command delivers it.`

func runMsg(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if done, err := groupHelp(args, msgUsage, stdout); done {
		return err
	}
	fs := newFlagSet("msg", msgUsage, stdout)
	hub, token, peer := coordFlags(fs, getenv)
	var m coord.Message
	fs.StringVar(&m.To, "to", "", "recipient: a peer, NAME@HUB (another hub's, through ct bridge), @group or '*'")
	fs.StringVar(&m.Subject, "subject", "", "one-line subject")
	fs.StringVar(&m.Body, "body", "", "markdown body; - reads standard input")
	fs.StringVar(&m.Priority, "priority", "", "P0 (urgent) .. P3; default P2")
	fs.StringVar(&m.Type, "type", "", "question, blocker, status-update, deploy-ready, blocker-resolved or note")
	fs.StringVar(&m.Re, "re", "", "the message this answers (threads)")
	fs.BoolVar(&m.RequiresResponse, "requires-response", false, "the recipient should answer")
	deadline := fs.String("deadline", "", "answer by (RFC 3339 time)")
	sent := fs.Bool("sent", false, "ls: messages I sent")
	all := fs.Bool("all", false, "ls: sent and received")
	var f coord.MessageFilter
	fs.BoolVar(&f.Unread, "unread", false, "ls: only unread")
	fs.StringVar(&f.Query, "q", "", "ls: search subject, body, sender and recipient")
	wait := fs.Duration("wait", 0, "ls: wait up to this long for a message when there is none")
	pos, err := splitArgs(fs, args[1:], stderr)
	if err != nil {
		return err
	}
	c, err := client.Open(getenv, client.Settings{Hub: *hub, Token: *token, Peer: *peer}, stderr)
	if err != nil {
		return err
	}
	switch args[0] {
	case "send":
		return msgSend(ctx, c, m, *deadline, stdin, stdout)
	case "ls":
		f.Re = m.Re
		switch {
		case *all:
			f.Box = "all"
		case *sent:
			f.Box = "sent"
		}
		return msgList(ctx, c, f, *wait, stdout, stderr)
	case "read", "ack":
		if len(pos) != 1 {
			fmt.Fprintf(stderr, "ct msg %s: give one message id\n", args[0])
			return errUsage
		}
		read := c.ReadMessage
		if args[0] == "ack" {
			read = c.AckMessage
		}
		out, err := read(ctx, pos[0])
		if err != nil {
			return err
		}
		printMessage(stdout, out)
		return nil
	}
	fmt.Fprintf(stderr, "ct msg: unknown action %q\n%s\n", args[0], msgUsage)
	return errUsage
}

// msgSend is ct msg send: the body may come from stdin (--body -).
func msgSend(ctx context.Context, c *client.Client, m coord.Message, deadline string, stdin io.Reader, stdout io.Writer) error {
	if m.Body == "-" {
		b, err := io.ReadAll(io.LimitReader(stdin, coord.MaxBody+1))
		if err != nil {
			return err
		}
		m.Body = string(b)
	}
	if deadline != "" {
		t, err := time.Parse(time.RFC3339, deadline)
		if err != nil {
			return fmt.Errorf("--deadline %q: give an RFC 3339 time such as 2026-05-01T17:00:00Z", deadline)
		}
		m.Deadline = &t
	}
	out, queued, err := c.SendMessage(ctx, m)
	if err != nil {
		return err
	}
	if queued {
		fmt.Fprintf(stdout, "queued: the hub is unreachable; the message to %s will be delivered by the next ct command (%d waiting)\n", m.To, c.Queued())
		return nil
	}
	fmt.Fprintf(stdout, "sent %s to %s\n", out.ID, out.To)
	return nil
}

// msgList is ct msg ls: queued changes go first, so the list includes them.
func msgList(ctx context.Context, c *client.Client, f coord.MessageFilter, wait time.Duration, stdout, stderr io.Writer) error {
	if err := c.Flush(ctx); err != nil {
		fmt.Fprintf(stderr, "ct msg: queued changes wait: %v\n", err)
	}
	list, err := c.ListMessages(ctx, f, wait)
	if err != nil {
		return err
	}
	if len(list) == 0 {
		emptyList(stderr, "no messages", "ct msg send --to PEER --body TEXT sends one")
	}
	for _, m := range list {
		fmt.Fprintln(stdout, msgLine(m))
	}
	return nil
}

// emptyList says on stderr that a listing is empty and what makes an
// entry; stdout stays empty, so a script counting lines still reads zero.
func emptyList(stderr io.Writer, what, hint string) {
	fmt.Fprintf(stderr, "%s (%s)\n", what, hint)
}

func msgLine(m coord.Message) string {
	flags := ""
	if m.RequiresResponse {
		flags += " [needs answer]"
	}
	if m.Late {
		flags += " [late]"
	}
	if m.Re != "" {
		flags += " re:" + m.Re
	}
	subj := m.Subject
	if subj == "" {
		subj = firstLine(m.Body)
	}
	return fmt.Sprintf("%s\t%s\t%s %s\t%s -> %s\t%s%s", m.ID, m.TS.Local().Format("01-02 15:04"), m.Priority, m.Type, m.From, m.To, subj, flags)
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	if len(s) > 80 {
		s = s[:80] + "…"
	}
	return s
}

func printMessage(w io.Writer, m coord.Message) {
	fmt.Fprintf(w, "id:       %s\nfrom:     %s\nto:       %s\nwhen:     %s\npriority: %s\ntype:     %s\n", m.ID, m.From, m.To, m.TS.Local().Format(time.RFC3339), m.Priority, m.Type)
	if m.Re != "" {
		fmt.Fprintf(w, "re:       %s\n", m.Re)
	}
	if m.RequiresResponse {
		fmt.Fprintln(w, "needs an answer")
	}
	if m.Deadline != nil {
		fmt.Fprintf(w, "deadline: %s\n", m.Deadline.Local().Format(time.RFC3339))
	}
	if m.Context != nil {
		fmt.Fprintf(w, "context:  session=%s file=%s line=%d error=%s\n", m.Context.Session, m.Context.File, m.Context.Line, m.Context.Error)
	}
	for _, a := range m.Artifacts {
		fmt.Fprintf(w, "artifact: %s\n", a)
	}
	if m.Late {
		fmt.Fprintln(w, "late:     sent after its time (the hub was down)")
	}
	fmt.Fprintf(w, "subject:  %s\n\n%s\n", m.Subject, m.Body)
}
