package main

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"time"

	"github.com/ct-dev/ct/db"
	"github.com/ct-dev/ct/events"
	"github.com/ct-dev/ct/hub"
	"github.com/ct-dev/ct/notify"
)

// defaultEventsKept is how many session and prompt events the log keeps
// for readers that resume (--events-keep): a day of a busy team's events.
const defaultEventsKept = 10000

// eventsConfig is ct serve's settings for events out: the event log and
// the outbound webhooks (docs/operations.md).
type eventsConfig struct {
	Keep                 int           // events kept for resuming readers
	AllowPrivateWebhooks bool          // webhooks may reach private addresses and this host
	RetryMin, RetryMax   time.Duration // the first retry's delay and the cap of the doubling
	Attempts             int           // attempts before a delivery is failed
}

// eventsFlags adds eventsConfig's flags to fs, their CT_* twins read first.
func eventsFlags(fs *flag.FlagSet, getenv func(string) string, stderr io.Writer, c *eventsConfig) error {
	c.Keep, c.RetryMin, c.RetryMax, c.Attempts = defaultEventsKept, events.DefaultRetryMin, events.DefaultRetryMax, events.DefaultAttempts
	if v := getenv("CT_ALLOW_PRIVATE_WEBHOOKS"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			fmt.Fprintf(stderr, "ct serve: CT_ALLOW_PRIVATE_WEBHOOKS=%q is not true or false\n", v)
			return errUsage
		}
		c.AllowPrivateWebhooks = b
	}
	for _, d := range []struct {
		env string
		v   *time.Duration
	}{{"CT_WEBHOOK_RETRY_MIN", &c.RetryMin}, {"CT_WEBHOOK_RETRY_MAX", &c.RetryMax}} {
		if err := durationEnv(getenv, d.env, d.v, stderr); err != nil {
			return err
		}
	}
	for _, n := range []struct {
		env string
		v   *int
	}{{"CT_EVENTS_KEEP", &c.Keep}, {"CT_WEBHOOK_ATTEMPTS", &c.Attempts}} {
		if v := getenv(n.env); v != "" {
			x, err := strconv.Atoi(v)
			if err != nil || x <= 0 {
				fmt.Fprintf(stderr, "ct serve: %s=%q is not a positive whole number\n", n.env, v)
				return errUsage
			}
			*n.v = x
		}
	}
	fs.IntVar(&c.Keep, "events-keep", c.Keep, "session and prompt events kept for readers of /api/v1/events that resume; older ones are trimmed (env CT_EVENTS_KEEP)")
	fs.BoolVar(&c.AllowPrivateWebhooks, "allow-private-webhooks", c.AllowPrivateWebhooks, "let outbound webhooks reach private addresses and this host; link-local and metadata stay refused (env CT_ALLOW_PRIVATE_WEBHOOKS)")
	fs.DurationVar(&c.RetryMin, "webhook-retry-min", c.RetryMin, "wait this long before a failed webhook delivery's first retry; each next wait doubles (env CT_WEBHOOK_RETRY_MIN)")
	fs.DurationVar(&c.RetryMax, "webhook-retry-max", c.RetryMax, "the longest wait between retries of a webhook delivery (env CT_WEBHOOK_RETRY_MAX)")
	fs.IntVar(&c.Attempts, "webhook-attempts", c.Attempts, "attempts of a webhook delivery before it is logged as failed (env CT_WEBHOOK_ATTEMPTS)")
	return nil
}

// checkEvents validates eventsConfig after parsing.
func checkEvents(c eventsConfig, stderr io.Writer) error {
	if c.Keep <= 0 || c.Attempts <= 0 || c.RetryMin <= 0 || c.RetryMax < c.RetryMin {
		fmt.Fprintln(stderr, "ct serve: --events-keep and --webhook-attempts must be positive, and --webhook-retry-max at least --webhook-retry-min")
		return errUsage
	}
	return nil
}

// eventsOut is the event recorder and the webhook sender, built and
// stopped by the stack.
type eventsOut struct {
	recorder *events.Recorder
	sender   *events.Sender
	webhooks events.Webhooks
}

// startEvents starts the webhook sender and the recorder that feeds it.
func startEvents(c eventsConfig, store *db.Store, h *hub.Hub, log *slog.Logger) *eventsOut {
	dial := notify.DialPolicy{}
	sender := events.NewSender(events.SenderOptions{Store: store, Log: log, Client: dial.Client(c.AllowPrivateWebhooks, events.PrivateHint),
		RetryMin: c.RetryMin, RetryMax: c.RetryMax, Attempts: c.Attempts})
	rec := events.NewRecorder(events.Deps{Store: store, Log: log, State: h.State, Keep: c.Keep, Appended: sender.Wake})
	return &eventsOut{recorder: rec, sender: sender, webhooks: events.Webhooks{Store: store, Dial: dial, AllowPrivate: c.AllowPrivateWebhooks}}
}

// close stops the recorder (its streams end) and then the sender.
func (e *eventsOut) close() {
	e.recorder.Close()
	e.sender.Close()
}
