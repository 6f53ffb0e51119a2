package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/ct-dev/ct/db"
	"github.com/ct-dev/ct/handlers"
	"github.com/ct-dev/ct/hub"
)

// serveConfig is ct serve's settings after flags and environment.
type serveConfig struct {
	Addr      string
	Data      string
	LogLevel  string
	LogFormat string
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
	if err := parseFlags(fs, args, stderr); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "ct serve: unexpected argument %q (see ct serve --help)\n", fs.Arg(0))
		return c, errUsage
	}
	return c, nil
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
	store, err := db.Open(c.Data)
	if err != nil {
		return err
	}
	defer store.Close()
	h, err := hub.New(store, log)
	if err != nil {
		return err
	}
	srv := handlers.New(handlers.Deps{Hub: h, Store: store, Log: log, Version: version})

	// Bind before serving so the address is known (and :0 works in tests).
	ln, err := net.Listen("tcp", c.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w (is another ct serve running? pick another --addr)", c.Addr, err)
	}
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
	log.Info("ct serve listening", "addr", ln.Addr().String(), "url", "http://"+ln.Addr().String(), "data", store.Path(), "version", version)

	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	// Long-lived streams first: SSE pages and wrap sockets would otherwise
	// hold Shutdown until its timeout.
	srv.CloseStreams()
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Warn("http shutdown", "error", err)
	}
	if err := h.Close(sctx); err != nil {
		return fmt.Errorf("flush store: %w", err)
	}
	log.Info("stopped")
	return nil
}
