package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/ct-dev/ct/db"
	"github.com/ct-dev/ct/handlers"
	"github.com/ct-dev/ct/hub"
	"github.com/ct-dev/ct/mcpproxy"
)

// serveConfig is ct serve's settings after flags and environment.
type serveConfig struct {
	Addr      string
	Data      string
	LogLevel  string
	LogFormat string

	// Operations; see docs/operations.md.
	MetricsAddr string        // separate listener for /metrics; empty = off
	Retain      time.Duration // trim logs of sessions ended longer ago; 0 = keep all

	// Access; see README "People, machines and access".
	AdminPassword string // CT_ADMIN_PASSWORD: creates user admin on an empty store
	TLSCert       string
	TLSKey        string
	TrustedProxy  string
	WheelTimeout  time.Duration // an unanswered wheel request is granted after this

	// Downloads is where ct's release binaries are, for /download/{os}/{arch}
	// (empty: dist/ beside the ct binary, when there is one).
	Downloads string

	// Connection limits; see docs/design.md "Security model".
	BodyTimeout time.Duration // a request body must arrive within this
	IdleTimeout time.Duration // an idle keep-alive connection is closed after this

	// Outbound addresses, coordination rates, the audit anchor (serveoutbound.go).
	Outbound outboundConfig
	// Byte quotas and the free-space floor (serve_ingest.go).
	Ingest ingestConfig
	// The event log and outbound webhooks (serveevents.go).
	Events eventsConfig
	// The MCP proxy's limits (servemcp.go).
	MCPProxy mcpproxy.Limits
	// The composer's file limits (serve_attach.go).
	Attach attachConfig
	// Stop's grace and share links' longest life (serve_life.go).
	Life lifeConfig

	// Resource limits; see docs/design.md "Security model" (0 = default, -1 = no cap).
	MaxStreams        int // open SSE streams on the hub
	MaxStreamsPerUser int // open SSE streams of one person
	GitDiffMax        int // bytes of git diff the Changes tab asks a workstation for
	MaxOpenPrompts    int // open questions of one session
	// MaxSessionsPerMachine bounds one machine's live sessions; an idle,
	// unwatched session's emulator is dropped after EvictAfter.
	MaxSessionsPerMachine int
	EvictAfter            time.Duration
	ShareApproveWait      time.Duration // a --share-approve read waits this long for its person

	// Policy is the approval policy file ("": no rules, every prompt is
	// asked); see docs/operations.md "Approval policies".
	Policy string
}

func parseServe(args []string, getenv func(string) string, stdout, stderr io.Writer) (serveConfig, error) {
	var c serveConfig
	fs := newFlagSet("serve", `Usage: ct serve [flags]

Runs the hub: the web UI (phone first), the JSON API, the WebSocket that
ct wrap connects to, and the store (one bbolt file, ct.db, in --data).
Stop it with Ctrl-C or SIGTERM: streams are closed, then every received
event is written before it exits.`, stdout)
	fs.StringVar(&c.Addr, "addr", envOr(getenv, "CT_ADDR", "127.0.0.1:7200"), "address to listen on (env CT_ADDR)")
	fs.StringVar(&c.Data, "data", envOr(getenv, "CT_DATA", "./ct-data"), "data directory, created if missing (env CT_DATA)")
	fs.StringVar(&c.LogLevel, "log-level", envOr(getenv, "CT_LOG_LEVEL", "info"), "debug, info, warn or error (env CT_LOG_LEVEL)")
	fs.StringVar(&c.LogFormat, "log-format", envOr(getenv, "CT_LOG_FORMAT", "text"), "text or json (env CT_LOG_FORMAT)")
	fs.StringVar(&c.MetricsAddr, "metrics-addr", envOr(getenv, "CT_METRICS_ADDR", ""), "serve Prometheus /metrics on this separate address, e.g. 127.0.0.1:9200; empty = off (env CT_METRICS_ADDR)")
	retain := fs.String("retain", envOr(getenv, "CT_RETAIN", "off"), "trim the event logs of sessions that ended longer ago than this (30d, 2w, 36h); off keeps everything (env CT_RETAIN)")
	fs.StringVar(&c.TLSCert, "tls-cert", envOr(getenv, "CT_TLS_CERT", ""), "serve HTTPS with this certificate file (env CT_TLS_CERT; with --tls-key)")
	fs.StringVar(&c.TLSKey, "tls-key", envOr(getenv, "CT_TLS_KEY", ""), "the certificate's private key file (env CT_TLS_KEY)")
	fs.StringVar(&c.TrustedProxy, "trusted-proxy", envOr(getenv, "CT_TRUSTED_PROXY", ""), "addresses or CIDRs of a reverse proxy (or \"loopback\" for tailscale serve/Caddy on this host) whose X-Forwarded-For/-Proto are believed (env CT_TRUSTED_PROXY)")
	fs.StringVar(&c.Downloads, "downloads", envOr(getenv, "CT_DOWNLOADS", ""), "directory of scripts/release's binaries, served at /download/{os}/{arch}; default dist/ beside this binary, if there (env CT_DOWNLOADS)")
	fs.StringVar(&c.Policy, "policy", envOr(getenv, "CT_POLICY", ""), "approval rules file (JSON), reloaded when it changes; empty = off, every prompt is asked (env CT_POLICY)")
	c.AdminPassword = getenv("CT_ADMIN_PASSWORD") // env only: a flag would show in ps
	wheelDefault := hub.DefaultWheelTimeout
	if err := durationEnv(getenv, "CT_WHEEL_TIMEOUT", &wheelDefault, stderr); err != nil {
		return c, err
	}
	c.BodyTimeout = handlers.DefaultBodyTimeout
	c.IdleTimeout = defaultIdleTimeout
	c.EvictAfter = hub.DefaultEvictAfter
	if err := durationEnv(getenv, "CT_EVICT_AFTER", &c.EvictAfter, stderr); err != nil {
		return c, err
	}
	fs.DurationVar(&c.EvictAfter, "evict-after", c.EvictAfter, "drop the in-memory screen of a session with no ct wrap connected and no page open after this; rebuilt from its log when opened (env CT_EVICT_AFTER)")
	c.ShareApproveWait = hub.DefaultShareApproveWait
	if err := durationEnv(getenv, "CT_SHARE_APPROVE_WAIT", &c.ShareApproveWait, stderr); err != nil {
		return c, err
	}
	fs.DurationVar(&c.ShareApproveWait, "share-approve-wait", c.ShareApproveWait, "how long a read of a file shared with ct wrap --share-approve waits for its person's approval before it is refused (at most 5m) (env CT_SHARE_APPROVE_WAIT)")
	if err := durationEnv(getenv, "CT_BODY_TIMEOUT", &c.BodyTimeout, stderr); err != nil {
		return c, err
	}
	if err := durationEnv(getenv, "CT_IDLE_TIMEOUT", &c.IdleTimeout, stderr); err != nil {
		return c, err
	}
	fs.DurationVar(&c.BodyTimeout, "body-timeout", c.BodyTimeout, "close a request whose body has not arrived within this (slow-body clients); streams have no body (env CT_BODY_TIMEOUT)")
	fs.DurationVar(&c.IdleTimeout, "idle-timeout", c.IdleTimeout, "close a keep-alive connection idle this long (env CT_IDLE_TIMEOUT)")
	fs.DurationVar(&c.WheelTimeout, "wheel-timeout", wheelDefault, "grant an unanswered request for the wheel after this, if its holder is idle (env CT_WHEEL_TIMEOUT)")
	checks, err := areaFlags(fs, getenv, &c, stderr)
	if err != nil {
		return c, err
	}
	if err := parseFlags(fs, args, stderr); err != nil {
		return c, err
	}
	for _, check := range checks {
		if err := check(); err != nil {
			return c, err
		}
	}
	if c.EvictAfter <= 0 {
		fmt.Fprintln(stderr, "ct serve: --evict-after must be a positive duration like 10m")
		return c, errUsage
	}
	if c.ShareApproveWait <= 0 || c.ShareApproveWait > hub.MaxShareApproveWait {
		fmt.Fprintln(stderr, "ct serve: --share-approve-wait must be a duration from 1s to 5m, like 2m")
		return c, errUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "ct serve: unexpected argument %q (see ct serve --help)\n", fs.Arg(0))
		return c, errUsage
	}
	r, err := db.ParseAge(*retain)
	if err != nil {
		fmt.Fprintf(stderr, "ct serve: --retain: %v\n", err)
		return c, errUsage
	}
	c.Retain = r
	if (c.TLSCert == "") != (c.TLSKey == "") {
		fmt.Fprintln(stderr, "ct serve: --tls-cert and --tls-key go together")
		return c, errUsage
	}
	return c, nil
}

// areaFlags adds each area's flags (outbound, limits, ingest, events out,
// the MCP proxy, attachments, session life; each in its own serve_*.go) and
// returns their checks, run in this order once the flags are parsed.
func areaFlags(fs *flag.FlagSet, getenv func(string) string, c *serveConfig, stderr io.Writer) ([]func() error, error) {
	checkOutbound, err := outboundFlags(fs, getenv, stderr, &c.Outbound)
	if err != nil {
		return nil, err
	}
	for _, add := range []func() error{
		func() error { return limitFlags(fs, getenv, c, stderr) },
		func() error { return ingestFlags(fs, getenv, &c.Ingest, stderr) },
		func() error { return eventsFlags(fs, getenv, stderr, &c.Events) },
		func() error { return mcpProxyFlags(fs, getenv, &c.MCPProxy, stderr) },
		func() error { return attachFlags(fs, getenv, &c.Attach, stderr) },
		func() error { return lifeFlags(fs, getenv, &c.Life, stderr) },
	} {
		if err := add(); err != nil {
			return nil, err
		}
	}
	return []func() error{
		func() error { return checkMCPProxy(c.MCPProxy, stderr) },
		func() error { return checkLife(c.Life, stderr) },
		checkOutbound,
		func() error { return checkIngest(c.Ingest, stderr) },
		func() error { return checkEvents(c.Events, stderr) },
		func() error { return checkAttach(c.Attach, stderr) },
	}, nil
}

// defaultIdleTimeout closes keep-alive connections nobody uses; browsers
// reopen one in a round trip.
const defaultIdleTimeout = 2 * time.Minute

// limitFlags declares the resource caps (flag > env > default).
func limitFlags(fs *flag.FlagSet, getenv func(string) string, c *serveConfig, stderr io.Writer) error {
	for _, l := range []struct {
		name, env, what string
		v               *int
		def             int
	}{
		{"max-streams", "CT_MAX_STREAMS", "open SSE streams on the hub (pages and /api/v1/events); -1 = no cap", &c.MaxStreams, handlers.DefaultMaxStreams},
		{"max-streams-per-user", "CT_MAX_STREAMS_PER_USER", "open SSE streams of one person (all their tabs, phones, API clients); -1 = no cap", &c.MaxStreamsPerUser, handlers.DefaultMaxStreamsPerUser},
		{"git-diff-max", "CT_GIT_DIFF_MAX", "bytes of git diff the Changes tab asks a workstation for (the wrap never sends over 512 KiB); -1 = that most", &c.GitDiffMax, handlers.DefaultGitDiffMax},
		{"max-open-prompts", "CT_MAX_OPEN_PROMPTS", "open questions of one session; more are denied to the agent; -1 = no cap", &c.MaxOpenPrompts, hub.DefaultMaxOpenPrompts},
		{"max-sessions-per-machine", "CT_MAX_SESSIONS_PER_MACHINE", "live sessions of one machine; more are refused (ct wrap runs the program without the hub); -1 = no cap", &c.MaxSessionsPerMachine, hub.DefaultMaxSessionsPerMachine},
	} {
		*l.v = l.def
		if v := getenv(l.env); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n == 0 || n < -1 {
				fmt.Fprintf(stderr, "ct serve: %s=%q must be a positive number, or -1 for no cap\n", l.env, v)
				return errUsage
			}
			*l.v = n
		}
		fs.IntVar(l.v, l.name, *l.v, l.what+" (env "+l.env+")")
	}
	return nil
}

// durationEnv reads a positive duration from the environment into d.
func durationEnv(getenv func(string) string, key string, d *time.Duration, stderr io.Writer) error {
	v := getenv(key)
	if v == "" {
		return nil
	}
	x, err := time.ParseDuration(v)
	if err != nil || x <= 0 {
		fmt.Fprintf(stderr, "ct serve: %s=%q is not a duration like 30s\n", key, v)
		return errUsage
	}
	*d = x
	return nil
}

func newLogger(w io.Writer, level, format string) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("--log-level %q: use debug, info, warn or error", level)
	}
	opts := &slog.HandlerOptions{Level: lv}
	switch strings.ToLower(format) {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	default:
		return nil, fmt.Errorf("--log-format %q: use text or json", format)
	}
}

func runServe(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	c, err := parseServe(args, getenv, stdout, stderr)
	if err != nil {
		return err
	}
	log, err := newLogger(stderr, c.LogLevel, c.LogFormat)
	if err != nil {
		return err
	}
	trusted, err := handlers.ParseTrusted(c.TrustedProxy)
	if err != nil {
		return fmt.Errorf("--trusted-proxy: %w", err)
	}
	st, err := openStack(ctx, c, log)
	if err != nil {
		return err
	}
	// On an early return (a listener that cannot bind) the stack still
	// closes in order; after a clean shutdown this is a no-op.
	defer st.close(context.Background())
	setupToken, err := handlers.EnsureAdmin(st.store, c.AdminPassword)
	if err != nil {
		return err
	}
	self, downloads := downloadsDir(c.Downloads)
	srv := handlers.New(handlers.Deps{Hub: st.hub, Store: st.store, Log: log, Version: version, TrustedProxies: trusted,
		BodyTimeout: c.BodyTimeout, MaxStreams: c.MaxStreams, MaxStreamsPerUser: c.MaxStreamsPerUser, GitDiffMax: c.GitDiffMax,
		AttachMax: int64(c.Attach.Max), AttachSessionMax: int64(c.Attach.SessionMax), Coord: st.coord, Audit: st.audit, Notifier: st.notifier,
		Downloads: downloads, SelfBinary: self, Events: st.events.recorder.Broker(), Webhooks: st.events.webhooks,
		Policy: st.policyEditor(), MCPProxy: mcpproxy.New(c.MCPProxy, nil), StopGrace: c.Life.StopGrace, MaxShareAge: c.Life.MaxShareAge, SimClock: st.sim})
	st.hub.SetListener(st.listeners(srv.Listener()))
	// The page streams' heartbeat: owned here, stopped before shutdown.
	hbCtx, stopHeartbeat := context.WithCancel(ctx)
	hbDone := make(chan struct{})
	go func() { defer close(hbDone); srv.Run(hbCtx) }()
	defer func() { stopHeartbeat(); <-hbDone }()

	// Bind before serving so the address is known (and :0 works in tests).
	ln, err := net.Listen("tcp", c.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w (is another ct serve running? pick another --addr)", c.Addr, err)
	}
	// No ReadTimeout or WriteTimeout on the server: they would end SSE
	// streams and sockets; handlers bound request bodies (BodyTimeout).
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: c.IdleTimeout}
	base := listenURL(ln, c.TLSCert != "")
	log.Info("ct serve listening", "addr", ln.Addr().String(), "url", base, "data", st.store.Path(), "version", version)
	if setupToken != "" {
		// Shown once: only its hash is stored. A restart before setup prints a new one.
		fmt.Fprintf(stderr, "\nct: first start. Set the admin password at:\n\n    %s/setup?token=%s\n\n(or restart with CT_ADMIN_PASSWORD set). Nothing is served until then.\n\n", base, setupToken)
	}

	if c.MetricsAddr != "" {
		ms, err := serveMetrics(c.MetricsAddr, srv.Metrics(), log)
		if err != nil {
			ln.Close()
			return err
		}
		defer ms.Close()
	}
	return serveUntil(ctx, hs, ln, c, srv, st, log)
}

// serveUntil serves until ctx ends, then shuts down in order: long-lived
// streams first (SSE pages and wrap sockets would otherwise hold Shutdown
// until its timeout), the services that feed them, the HTTP server, and
// last the stack below it (which writes every received event).
func serveUntil(ctx context.Context, hs *http.Server, ln net.Listener, c serveConfig, srv *handlers.Server, st *hubStack, log *slog.Logger) error {
	errc := make(chan error, 1)
	go func() { // ends when hs shuts down
		if c.TLSCert != "" {
			errc <- hs.ServeTLS(ln, c.TLSCert, c.TLSKey)
			return
		}
		errc <- hs.Serve(ln)
	}()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	srv.CloseStreams()
	st.stopServices() // ends coordination event streams, long polls and notices
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Warn("http shutdown", "error", err)
	}
	if err := st.close(sctx); err != nil {
		return err
	}
	log.Info("stopped")
	return nil
}

// listenURL is an address a browser on this machine can open for ln.
func listenURL(ln net.Listener, tls bool) string {
	scheme := "http"
	if tls {
		scheme = "https"
	}
	if tcp, ok := ln.Addr().(*net.TCPAddr); ok && tcp.IP.IsUnspecified() {
		// Listening on all addresses: print one a browser here can open.
		return scheme + "://" + net.JoinHostPort("127.0.0.1", strconv.Itoa(tcp.Port))
	}
	return scheme + "://" + ln.Addr().String()
}

// serveMetrics serves /metrics on its own listener, so it can be bound to a
// private address while the hub has no logins.
func serveMetrics(addr string, h http.Handler, log *slog.Logger) (*http.Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen for metrics on %s: %w (pick another --metrics-addr)", addr, err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", h)
	ms := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = ms.Serve(ln) }() // ends when ms is closed at shutdown
	log.Info("metrics listening", "addr", ln.Addr().String(), "endpoint", "http://"+ln.Addr().String()+"/metrics")
	return ms, nil
}
