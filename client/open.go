package client

import (
	"errors"
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
// and token (s, else what ct login saved), refuses a machine token up
// front with what to do instead, and opens the outbox for that hub and
// peer. Notes about queued changes go to notes.
func Open(getenv func(string) string, s Settings, notes io.Writer) (*Client, error) {
	hub, token := s.Hub, s.Token
	if hub == "" {
		hub = OnlySavedHub(getenv)
	}
	if hub == "" {
		return nil, errors.New("no hub: set CT_HUB (or --hub) to the hub's URL")
	}
	hub = HubKey(hub)
	if token == "" {
		if saved, ok := SavedCredentials(getenv, hub); ok {
			token = saved.Token
		}
	}
	if token == "" {
		return nil, fmt.Errorf("no token for %s: create an API token (ct token create --hub %s --name NAME) and set CT_TOKEN", hub, hub)
	}
	if kind, _, _, ok := auth.ParseToken(token); ok && kind == auth.KindMachine {
		return nil, fmt.Errorf("the token for %s is this machine's (ct login saves one for ct wrap), and a machine token cannot use the API: create an API token with ct token create --hub %s --name NAME and set CT_API_TOKEN (or CT_TOKEN)", hub, hub)
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
