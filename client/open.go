package client

import (
	"fmt"
	"io"

	"github.com/ct-dev/ct/auth"
)

// Settings are what a ct command was told about the hub (flags or env);
// empty fields are filled from what ct login saved.
type Settings struct {
	Hub, Token, Peer, Kind string
}

// Open makes the Client a workstation command uses: it resolves the hub
// (s, else DefaultHub) and the token (s, else the API token ct login saved
// for that hub, acting as the person who logged in), refuses a machine
// token up front with the command that fixes it, and opens the outbox for
// that hub and peer. Notes about queued changes go to notes.
func Open(getenv func(string) string, s Settings, notes io.Writer) (*Client, error) {
	hub, token := s.Hub, s.Token
	if hub == "" {
		hub, _ = DefaultHub(getenv)
	}
	hub = HubKey(hub)
	if isMachine(token) {
		token = "" // under ct wrap CT_TOKEN is the wrap's machine token: prefer ct login's API token
	}
	if token == "" {
		if saved, ok := SavedCredentials(getenv, hub); ok && saved.APIToken != "" {
			token = saved.APIToken
			if s.Peer == "" && saved.User != "" {
				s.Peer, s.Kind = saved.User, or(s.Kind, "human") // the person who logged in, not "<machine>-cli"
			}
		}
	}
	if token == "" {
		if isMachine(s.Token) {
			return nil, fmt.Errorf("the token given for %s is a machine token (for ct wrap), which cannot use the API: run ct login --hub %s (it saves an API token for these commands), or set CT_API_TOKEN to one from ct token create --hub %s --api --name NAME", hub, hub, hub)
		}
		return nil, fmt.Errorf("no API token for %s: run ct login --hub %s (it saves one for these commands), or set CT_API_TOKEN to one from ct token create --hub %s --api --name NAME", hub, hub, hub)
	}
	path, err := OutboxPath(getenv, hub, s.Peer)
	if err != nil {
		return nil, err
	}
	ob, err := OpenOutbox(path)
	if err != nil {
		return nil, err
	}
	return New(Config{Hub: hub, Token: token, Peer: s.Peer, Kind: s.Kind, Outbox: ob, Notes: notes}), nil
}

// isMachine reports whether token is a machine token.
func isMachine(token string) bool {
	kind, _, _, ok := auth.ParseToken(token)
	return ok && kind == auth.KindMachine
}

func or(v, def string) string {
	if v != "" {
		return v
	}
	return def
}
