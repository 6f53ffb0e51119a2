package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/ct-dev/ct/client"
	"github.com/ct-dev/ct/coord"
)

const remindUsage = `Usage:
  ct remind --cron EXPR --to PEER|@group|'*' --body B [--subject S]
  ct remind --at TIME   --to PEER|@group|'*' --body B [--subject S]
  ct remind ls

EXPR is a standard five-field cron expression ("0 9 * * 1-5") or a
descriptor (@hourly, @daily, "@every 30m"); TIME is RFC 3339
(2026-05-01T09:00:00+02:00) or a duration from now (90m). The hub keeps
reminders and fires each once, even across restarts.`

func runRemind(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("remind", remindUsage, stdout)
	hub, token, peer := coordFlags(fs, getenv)
	var r coord.Reminder
	fs.StringVar(&r.Cron, "cron", "", "cron expression")
	at := fs.String("at", "", "one-off time: RFC 3339 or a duration from now")
	fs.StringVar(&r.To, "to", "", "recipient: a peer, @group or '*'")
	fs.StringVar(&r.Body, "body", "", "the reminder's text")
	fs.StringVar(&r.Subject, "subject", "", "subject (default: Reminder)")
	fs.StringVar(&r.Priority, "priority", "", "P0..P3")
	pos, err := splitArgs(fs, args, stderr)
	if err != nil {
		return err
	}
	c, err := client.Open(getenv, client.Settings{Hub: *hub, Token: *token, Peer: *peer}, stderr)
	if err != nil {
		return err
	}
	if len(pos) == 1 && pos[0] == "ls" {
		list, err := c.ListReminders(ctx)
		if err != nil {
			return err
		}
		if len(list) == 0 {
			emptyList(stderr, "no reminders", "ct remind --at TIME --to PEER --body TEXT sets one")
		}
		for _, r := range list {
			when := r.Cron
			if r.At != nil {
				when = r.At.Local().Format(time.RFC3339)
			}
			next := "done"
			if !r.Next.IsZero() {
				next = "next " + r.Next.Local().Format(time.RFC3339)
			}
			fmt.Fprintf(stdout, "%s\t%s\t%s -> %s\t%s\tfired %d\t%s\n", r.ID, when, r.Owner, r.To, next, r.Fired, firstLine(r.Body))
		}
		return nil
	}
	if len(pos) > 0 {
		fmt.Fprintln(stderr, remindUsage)
		return errUsage
	}
	if *at != "" {
		t, err := time.Parse(time.RFC3339, *at)
		if err != nil {
			d, derr := time.ParseDuration(*at)
			if derr != nil {
				return fmt.Errorf("--at %q: give an RFC 3339 time (2026-05-01T09:00:00Z) or a duration from now (90m)", *at)
			}
			t = time.Now().Add(d)
		}
		r.At = &t
	}
	out, err := c.AddReminder(ctx, r)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "reminder %s scheduled; next %s\n", out.ID, out.Next.Local().Format(time.RFC3339))
	return nil
}
