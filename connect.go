package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/ct-dev/ct/auth"
	"github.com/ct-dev/ct/client"
	"github.com/ct-dev/ct/connect"
)

const connectUsage = `Usage:
  ct connect telegram [flags]
  ct connect slack [flags]

Joins the hub as a connector peer and relays both ways between its inbox
and one chat: messages to the peer are posted to the chat; chat messages
become hub messages (a reply answers the message it replies to, "/to PEER
text" or "to PEER: text" picks the recipient, anything else goes to --to);
pending approvals the connector's token may answer are posted (Telegram:
with Allow/Deny buttons), and a press, or "allow ID" / "deny ID" typed in
the chat, answers the prompt under that token's rights.

Settings come from the environment (or the flags):
  CT_HUB, CT_API_TOKEN       the hub and the connector's own API token
                             (ct token create --hub URL --api --name telegram)
  CT_TELEGRAM_TOKEN          telegram: the bot's token from BotFather
  CT_TELEGRAM_CHAT           telegram: the chat's numeric id (negative for groups)
  CT_SLACK_TOKEN             slack: the app's bot token (xoxb-...; scopes
                             chat:write, channels:history, users:read)
  CT_SLACK_CHANNEL           slack: the channel's id (C...), with the app invited`

// The services' documented API addresses.
const (
	telegramAPI = "https://api.telegram.org"
	slackAPI    = "https://slack.com/api"
)

// connectCommon are the settings every ct connect service shares.
type connectCommon struct {
	hub, token, peer, to, approvers *string
	promptPoll                      *time.Duration
}

func connectFlags(fs *flag.FlagSet, getenv func(string) string, stderr io.Writer) (connectCommon, error) {
	var c connectCommon
	c.hub, c.token, c.peer = coordFlags(fs, getenv)
	c.to = fs.String("to", envOr(getenv, "CT_CONNECT_TO", "*"), "where chat messages go: a peer, @group or * (env CT_CONNECT_TO)")
	c.approvers = fs.String("approvers", envOr(getenv, "CT_CONNECT_APPROVERS", ""), "comma-separated chat user ids whose answers count; empty: anyone in the chat (env CT_CONNECT_APPROVERS)")
	poll := 2 * time.Second
	if err := durationEnv(getenv, "CT_CONNECT_PROMPT_POLL", &poll, stderr); err != nil {
		return c, err
	}
	c.promptPoll = fs.Duration("prompt-poll", poll, "how often pending approvals are listed (env CT_CONNECT_PROMPT_POLL)")
	return c, nil
}

func runConnect(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if done, err := groupHelp(args, connectUsage, stdout); done {
		return err
	}
	if args[0] != "telegram" && args[0] != "slack" {
		fmt.Fprintf(stderr, "ct connect: unknown service %q (ct connect telegram, ct connect slack)\n", args[0])
		return errUsage
	}
	fs := newFlagSet("connect", connectUsage, stdout)
	cc, err := connectFlags(fs, getenv, stderr)
	if err != nil {
		return err
	}
	tgToken := fs.String("bot-token", envOr(getenv, "CT_TELEGRAM_TOKEN", ""), "telegram: the bot's token (env CT_TELEGRAM_TOKEN)")
	tgChat := fs.String("chat", envOr(getenv, "CT_TELEGRAM_CHAT", ""), "telegram: the chat's numeric id (env CT_TELEGRAM_CHAT)")
	tgAPI := fs.String("telegram-api", envOr(getenv, "CT_TELEGRAM_API", telegramAPI), "telegram: the Bot API's base URL (env CT_TELEGRAM_API)")
	slToken := fs.String("slack-token", envOr(getenv, "CT_SLACK_TOKEN", ""), "slack: the app's bot token (env CT_SLACK_TOKEN)")
	slChannel := fs.String("channel", envOr(getenv, "CT_SLACK_CHANNEL", ""), "slack: the channel's id (env CT_SLACK_CHANNEL)")
	slAPI := fs.String("slack-api", envOr(getenv, "CT_SLACK_API", slackAPI), "slack: the Web API's base URL (env CT_SLACK_API)")
	slPoll := 3 * time.Second
	if err := durationEnv(getenv, "CT_SLACK_POLL", &slPoll, stderr); err != nil {
		return err
	}
	fs.DurationVar(&slPoll, "slack-poll", slPoll, "slack: how often the channel is read (env CT_SLACK_POLL)")
	if err := parseFlags(fs, args[1:], stderr); err != nil {
		return err
	}
	var chat connect.Chat
	var channel string
	switch args[0] {
	case "telegram":
		if *tgToken == "" {
			return fmt.Errorf("no bot token: set CT_TELEGRAM_TOKEN (or --bot-token) to the token BotFather gave the bot")
		}
		id, err := strconv.ParseInt(strings.TrimSpace(*tgChat), 10, 64)
		if err != nil {
			return fmt.Errorf("CT_TELEGRAM_CHAT %q is not a chat id: give the chat's number (send the bot a message, then read chat.id from getUpdates)", *tgChat)
		}
		chat, channel = connect.NewTelegram(*tgAPI, *tgToken, id, nil), "telegram:"+strconv.FormatInt(id, 10)
	case "slack":
		if *slToken == "" || *slChannel == "" {
			return fmt.Errorf("set CT_SLACK_TOKEN to the app's bot token (xoxb-...) and CT_SLACK_CHANNEL to the channel's id (C...)")
		}
		chat, channel = connect.NewSlack(*slAPI, *slToken, *slChannel, slPoll, nil), "slack:"+*slChannel
	}
	return runRelay(ctx, getenv, cc, chat, channel, stderr)
}

// runRelay opens the connector's client and runs the relay until ctx ends.
func runRelay(ctx context.Context, getenv func(string) string, cc connectCommon, chat connect.Chat, channel string, stderr io.Writer) error {
	// Its own API token only: a machine token (CT_TOKEN under ct wrap)
	// would make client.Open fall back to the person's ct login token.
	if kind, _, _, ok := auth.ParseToken(*cc.token); !ok || kind != auth.KindAPI {
		return fmt.Errorf("the connector needs its own API token (cta_...): create one with ct token create --hub URL --api --name %s and set CT_API_TOKEN; it answers approvals with that token's rights", chat.Name())
	}
	c, err := client.Open(getenv, client.Settings{Hub: *cc.hub, Token: *cc.token, Peer: *cc.peer, Kind: "connector"}, stderr)
	if err != nil {
		return err
	}
	opt := connect.Options{To: *cc.to, Channel: channel, Web: c.Hub(), PromptPoll: *cc.promptPoll, Log: slog.New(slog.NewTextHandler(stderr, nil))}
	for _, a := range strings.Split(*cc.approvers, ",") {
		if a = strings.TrimSpace(a); a != "" {
			opt.Approvers = append(opt.Approvers, a)
		}
	}
	return connect.New(c, chat, opt).Run(ctx)
}
