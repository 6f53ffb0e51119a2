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
       ct login --hub URL --code CODE [--name MACHINE]
       ct login --hub URL --pair [--name MACHINE]

Logs this workstation in to the hub: asks for your name and password (or
takes CT_USER / CT_PASSWORD), creates a machine token for this machine and
saves it in ~/.config/ct/credentials.json (mode 0600; on Windows
%APPDATA%\ct\credentials.json). ct wrap then uses it for that hub, as
machine MACHINE, with no --token needed.

With --code (or --pair, which asks for it), no password is typed: the code
is the one the hub's "Add a workstation" page (/pair) shows, valid once for
10 minutes, and the token is made for the person who opened that page.`, stdout)
	hub := fs.String("hub", envOr(getenv, "CT_HUB", "http://127.0.0.1:7200"), "hub URL (env CT_HUB)")
	host, _ := os.Hostname()
	name := fs.String("name", envOr(getenv, "CT_NAME", host), "this machine's name on the hub (env CT_NAME)")
	user := fs.String("user", getenv("CT_USER"), "your name on the hub (env CT_USER)")
	code := fs.String("code", "", "a pairing code from the hub's Add a workstation page, instead of a password")
	pair := fs.Bool("pair", false, "ask for a pairing code instead of a password")
	if err := parseFlags(fs, args, stderr); err != nil {
		return err
	}
	in := bufio.NewReader(stdin)
	if *pair && *code == "" {
		fmt.Fprint(stderr, "Pairing code (from "+client.HubKey(*hub)+"/pair): ")
		line, _ := in.ReadString('\n')
		*code = strings.TrimSpace(line)
	}
	if *code != "" {
		return loginWithCode(ctx, getenv, *hub, *code, *name, stdout)
	}
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

// loginWithCode trades a pairing code for a machine token and saves it.
func loginWithCode(ctx context.Context, getenv func(string) string, hub, code, name string, stdout io.Writer) error {
	c := client.New(client.Config{Hub: hub})
	r, err := c.Pair(ctx, client.PairRequest{Code: code, Name: name})
	if err != nil {
		return err
	}
	path, err := client.SaveCredentials(getenv, hub, client.SavedHub{Token: r.Token, Machine: r.Machine, User: r.User, SavedAt: time.Now().UTC()})
	if err != nil {
		return fmt.Errorf("save the token: %w", err)
	}
	fmt.Fprintf(stdout, "Paired with %s as machine %q for %s. The token is saved in %s; ct wrap uses it.\n", c.Hub(), r.Machine, r.User, path)
	return nil
}
