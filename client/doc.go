// Package client owns everything that calls the hub's API from a
// workstation or a script: the credentials ct login saves
// (~/.config/ct/credentials.json), the durable outbox that holds message and
// todo changes while the hub is away, and Client, with one typed method per
// API call the ct subcommands and ct mcp make. Request and response bodies
// are the coord package's types, the same ones the hub's handlers decode.
//
// It must not import handlers, hub, db or ptywrap: it is the far side of
// the HTTP API, and knows the hub only through it.
package client
