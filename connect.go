package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/ct-dev/ct/client"
	"github.com/ct-dev/ct/connect"
)

const connectUsage = `Usage:
  ct connect telegram [flags]

Joins the hub as a connector peer and relays both ways between its inbox
and one Telegram chat: messages to the peer are posted to the chat; chat
messages become hub messages (a reply answers the message it replies to,
"/to PEER text" picks the recipient, anything else goes to --to); pending
approvals the connector's token may answer are posted with Allow/Deny
buttons, and a press answers the prompt under that token's rights.

Settings come from the environment (or the flags):
  CT_HUB, CT_API_TOKEN       the hub and the connector's own API token
                             (ct token create --hub URL --api --name telegram)
  CT_TELEGRAM_TOKEN          the bot's token from BotFather
  CT_TELEGRAM_CHAT           the chat's numeric id (negative for groups)`

// telegramAPI is the Bot API's documented address.
const telegramAPI = "https://api.telegram.org"

func runConnect(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if done, err := groupHelp(args, connectUsage, stdout); done {
		return err
	}
	if args[0] != "telegram" {
		fmt.Fprintf(stderr, "ct connect: unknown service %q (ct connect telegram)\n", args[0])
		return errUsage
	}
	fs := newFlagSet("connect", connectUsage, stdout)
	hub, token, peer := coordFlags(fs, getenv)
	botToken := fs.String("bot-token", envOr(getenv, "CT_TELEGRAM_TOKEN", ""), "the Telegram bot's token (env CT_TELEGRAM_TOKEN)")
	chatID := fs.String("chat", envOr(getenv, "CT_TELEGRAM_CHAT", ""), "the Telegram chat's numeric id (env CT_TELEGRAM_CHAT)")
	api := fs.String("api", envOr(getenv, "CT_TELEGRAM_API", telegramAPI), "the Bot API's base URL (env CT_TELEGRAM_API)")
	to := fs.String("to", envOr(getenv, "CT_CONNECT_TO", "*"), "where chat messages go: a peer, @group or * (env CT_CONNECT_TO)")
	approvers := fs.String("approvers", envOr(getenv, "CT_CONNECT_APPROVERS", ""), "comma-separated chat user ids whose button presses count; empty: anyone in the chat (env CT_CONNECT_APPROVERS)")
	poll := 2 * time.Second
	if err := durationEnv(getenv, "CT_CONNECT_PROMPT_POLL", &poll, stderr); err != nil {
		return err
	}
	promptPoll := fs.Duration("prompt-poll", poll, "how often pending approvals are listed (env CT_CONNECT_PROMPT_POLL)")
	if err := parseFlags(fs, args[1:], stderr); err != nil {
		return err
	}
	if *botToken == "" {
		return fmt.Errorf("no bot token: set CT_TELEGRAM_TOKEN (or --bot-token) to the token BotFather gave the bot")
	}
	chat, err := strconv.ParseInt(strings.TrimSpace(*chatID), 10, 64)
	if err != nil {
		return fmt.Errorf("CT_TELEGRAM_CHAT %q is not a chat id: give the chat's number (send the bot a message, then read chat.id from getUpdates)", *chatID)
	}
	if *token == "" {
		return fmt.Errorf("no API token for the connector: create one with ct token create --hub URL --api --name telegram and set CT_API_TOKEN; the connector answers approvals with that token's rights")
	}
	c, err := client.Open(getenv, client.Settings{Hub: *hub, Token: *token, Peer: *peer, Kind: "connector"}, stderr)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))
	opt := connect.Options{To: *to, Channel: "telegram:" + strconv.FormatInt(chat, 10), Web: c.Hub(), PromptPoll: *promptPoll, Log: log}
	for _, a := range strings.Split(*approvers, ",") {
		if a = strings.TrimSpace(a); a != "" {
			opt.Approvers = append(opt.Approvers, a)
		}
	}
	return connect.New(c, connect.NewTelegram(*api, *botToken, chat, nil), opt).Run(ctx)
}
