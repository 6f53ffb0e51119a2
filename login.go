package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/ct-dev/ct/client"
	"golang.org/x/term"
)

func runLogin(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlagSet("login", `Usage: ct login --hub URL [--name MACHINE] [--user NAME]

Logs this workstation in to the hub: asks for your name and password (or
takes CT_USER / CT_PASSWORD), creates a machine token for this machine and
saves it in ~/.config/ct/credentials.json (mode 0600). ct wrap then uses it
for that hub, as machine MACHINE, with no --token needed.`, stdout)
	hub := fs.String("hub", envOr(getenv, "CT_HUB", "http://127.0.0.1:7200"), "hub URL (env CT_HUB)")
	host, _ := os.Hostname()
	name := fs.String("name", envOr(getenv, "CT_NAME", host), "this machine's name on the hub (env CT_NAME)")
	user := fs.String("user", getenv("CT_USER"), "your name on the hub (env CT_USER)")
	if err := parseFlags(fs, args, stderr); err != nil {
		return err
	}
	in := bufio.NewReader(stdin)
	if *user == "" {
		fmt.Fprint(stderr, "Name: ")
		line, _ := in.ReadString('\n')
		*user = strings.TrimSpace(line)
	}
	password := getenv("CT_PASSWORD")
	if password == "" {
		fmt.Fprint(stderr, "Password: ")
		if f, ok := stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
			b, err := term.ReadPassword(int(f.Fd()))
			fmt.Fprintln(stderr)
			if err != nil {
				return fmt.Errorf("read password: %w", err)
			}
			password = string(b)
		} else {
			line, _ := in.ReadString('\n')
			password = strings.TrimRight(line, "\r\n")
		}
	}
	if *user == "" || password == "" {
		return fmt.Errorf("a name and a password are needed")
	}
	c := client.New(client.Config{Hub: *hub, User: *user, Password: password})
	tok, err := c.CreateToken(ctx, client.TokenRequest{Name: *name, Kind: "machine", Machine: *name})
	if err != nil {
		return err
	}
	path, err := client.SaveCredentials(getenv, *hub, client.SavedHub{Token: tok, Machine: *name, User: *user, SavedAt: time.Now().UTC()})
	if err != nil {
		return fmt.Errorf("save the token: %w", err)
	}
	fmt.Fprintf(stdout, "Logged in to %s as machine %q. The token is saved in %s; ct wrap uses it.\n", c.Hub(), *name, path)
	return nil
}
