package main

import (
	"context"
	"fmt"
	"io"

	"github.com/ct-dev/ct/client"
)

func runToken(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "create" {
		fmt.Fprint(stderr, "Usage: ct token create --hub URL --name NAME [--api] [--machine M] [--role R]\n(see ct token create --help)\n")
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			return errHelp
		}
		return errUsage
	}
	fs := newFlagSet("token create", `Usage: ct token create --hub URL --name NAME [--api] [--machine M] [--role R]

Creates a token on the hub and prints it on stdout, nothing else, for scripts:

  CT_USER=admin CT_PASSWORD=... ct token create --hub URL --name laptop

A machine token (the default) lets ct wrap on that machine publish sessions,
and only as that machine (--machine, default NAME). With --api it is an API
token for scripts and agents, with your rights or fewer (--role member|viewer).
Credentials: CT_USER and CT_PASSWORD, or CT_TOKEN holding an API token.
The token is shown once; the hub keeps only its hash.`, stdout)
	defHub, _ := client.DefaultHub(getenv)
	hub := fs.String("hub", defHub, "hub URL (env CT_HUB; default: the hub ct login saved last, else "+client.LocalHub+")")
	name := fs.String("name", "", "the token's name, e.g. the machine's")
	api := fs.Bool("api", false, "make an API token instead of a machine token")
	machine := fs.String("machine", "", "machine tokens: the machine it publishes as (default: --name)")
	role := fs.String("role", "", "API tokens: member or viewer (default: your role)")
	if err := parseFlags(fs, args[1:], stderr); err != nil {
		return err
	}
	if *name == "" {
		fmt.Fprintln(stderr, "ct token create: --name is required (see --help)")
		return errUsage
	}
	req := client.TokenRequest{Name: *name, Kind: "machine", Machine: *machine}
	if *api {
		req = client.TokenRequest{Name: *name, Kind: "api", Role: *role}
	}
	c := client.New(client.Config{Hub: *hub, User: getenv("CT_USER"), Password: getenv("CT_PASSWORD"), Token: getenv("CT_TOKEN")})
	tok, err := c.CreateToken(ctx, req)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, tok)
	return nil
}
