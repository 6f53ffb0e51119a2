package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
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
takes CT_USER / CT_PASSWORD) and creates two tokens, saved in
~/.config/ct/credentials.json (mode 0600; on Windows
%APPDATA%\ct\credentials.json): a machine token for this machine, which
ct wrap and ct node use, and your own API token named "MACHINE-cli" (role
member, or viewer if that is yours), which ct msg, lock, todo, remind and
mcp use. Every workstation command then defaults to this hub (CT_HUB and
--hub still win), with no --token needed.

With --code (or --pair, which asks for it), no password is typed: the code
is the one the hub's "Add a workstation" page (/pair) shows, valid once for
10 minutes, and the machine token is made for the person who opened that
page (the coordination commands then need CT_API_TOKEN, see ct msg --help).`, stdout)
	defHub, _ := client.DefaultHub(getenv)
	hub := fs.String("hub", defHub, "hub URL (env CT_HUB; default: the hub ct login saved last, else "+client.LocalHub+")")
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
	api, err := cliToken(ctx, c, *name)
	if err != nil {
		return err
	}
	path, err := client.SaveCredentials(getenv, *hub, client.SavedHub{Token: tok, Machine: *name, User: *user, APIToken: api, SavedAt: time.Now().UTC()})
	if err != nil {
		return fmt.Errorf("save the token: %w", err)
	}
	fmt.Fprintf(stdout, "Logged in to %s as machine %q for %s. The tokens are saved in %s: ct wrap and ct node use the machine token, ct msg, lock, todo, remind and mcp your API token %q.\n", c.Hub(), *name, *user, path, *name+"-cli")
	return nil
}

// cliToken makes the person's API token for the coordination commands:
// role member (all they do is messages, locks, todos and reminders, so an
// admin's CLI token is no admin), or the person's own role when that is
// less (a viewer's).
func cliToken(ctx context.Context, c *client.Client, machine string) (string, error) {
	req := client.TokenRequest{Name: machine + "-cli", Kind: "api", Role: "member"}
	tok, err := c.CreateToken(ctx, req)
	var apiErr *client.APIError
	if errors.As(err, &apiErr) && apiErr.Status == http.StatusForbidden {
		req.Role = "" // a viewer: the maker's own role
		tok, err = c.CreateToken(ctx, req)
	}
	if err != nil {
		return "", fmt.Errorf("the machine token is made, but the API token for ct msg, lock and todo is not: %w", err)
	}
	return tok, nil
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
