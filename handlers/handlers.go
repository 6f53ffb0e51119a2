// Package handlers owns ct's HTTP surface: pages, fragments, SSE streams, the
// wrap WebSocket ingest and the JSON API. routes.go lists every route. It
// turns hub state into view models; it holds no session state of its own
// beyond who is subscribed to which stream.
package handlers

import (
	"cmp"
	"context"
	"errors"
	"github.com/ct-dev/ct/events"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/a-h/templ"
	"github.com/ct-dev/ct/audit"
	"github.com/ct-dev/ct/auth"
	"github.com/ct-dev/ct/coord"
	"github.com/ct-dev/ct/db"
	"github.com/ct-dev/ct/hub"
	"github.com/ct-dev/ct/mcpproxy"
	"github.com/ct-dev/ct/notify"
	"github.com/ct-dev/ct/views"
	"github.com/go-chi/chi/v5"
	"github.com/r3labs/sse/v2"
)

// Deps is what the HTTP layer needs.
type Deps struct {
	Hub     *hub.Hub
	Store   *db.Store
	Log     *slog.Logger
	Version string
	Coord   *coord.Service // coordination: messages, locks, todos, reminders, peers (required)
	Audit   *audit.Log     // the audit trail writer (required)
	// Policy is the approval policy file for /admin/policy (nil: policies
	// are off; the page says how to turn them on).
	Policy PolicyEditor
	// Notifier sends Web Push and ntfy notifications; nil: notifications
	// are off (their keys could not be stored).
	Notifier *notify.Notifier
	// MCPProxy is the live table of peer-hosted MCP servers
	// (coord_mcp.go); nil: one with the default limits.
	MCPProxy *mcpproxy.Registry
	// SimClock is the simulation clock (coord_clock.go); nil: a stopped
	// one with a tick a second at x1.
	SimClock *coord.SimClock

	// TrustedProxies may set X-Forwarded-For / -Proto (--trusted-proxy).
	TrustedProxies []*net.IPNet
	// BodyTimeout bounds sending a request body (0: DefaultBodyTimeout).
	BodyTimeout time.Duration
	// MaxStreams bounds open SSE streams on the hub (page streams and
	// /api/v1/events); 0: DefaultMaxStreams, < 0: no cap.
	MaxStreams int
	// MaxStreamsPerUser bounds one person's open streams; 0:
	// DefaultMaxStreamsPerUser, < 0: no cap.
	MaxStreamsPerUser int
	// Downloads is the directory of ct's release binaries served at
	// /download/{os}/{arch} (--downloads); SelfBinary, the running ct,
	// served for its own OS/arch. Either may be empty.
	Downloads, SelfBinary string
	// Events is where session and prompt events are subscribed to (the
	// recorder's broker, events/); Webhooks manages outbound webhooks.
	Events   EventSource
	Webhooks events.Webhooks
	// GitDiffMax is how many bytes of `git diff` the Changes tab asks a
	// workstation for (--git-diff-max); 0: DefaultGitDiffMax, < 0: the
	// wire's own cap.
	GitDiffMax int
	// AttachMax bounds one file sent with a prompt (0: DefaultAttachMax);
	// AttachSessionMax, the files one session keeps on the hub (0:
	// DefaultAttachSessionMax).
	AttachMax, AttachSessionMax int64
	// StopGrace is how long "End program" waits after SIGTERM before
	// SIGKILL (0: DefaultStopGrace); MaxShareAge bounds a share link's
	// life (0: DefaultMaxShareAge). See session_life.go and share.go.
	StopGrace, MaxShareAge time.Duration
}

// EventSource is what the event stream needs of events.Broker.
type EventSource interface {
	Subscribe() (*events.Sub, uint64)
	Unsubscribe(*events.Sub)
}

// Server serves ct's HTTP surface.
type Server struct {
	gitDiffMax int // bytes of git diff asked for (Deps.GitDiffMax)
	hub        *hub.Hub
	store      *db.Store
	log        *slog.Logger
	version    string
	sse        *sse.Server
	sockets    *sockets     // the workstation sockets (sockets.go)
	pages      *pageStreams // the pages' SSE streams (sse.go)
	live       *liveConns   // every long-lived connection by credential, and the stream caps (liveconns.go)
	render     *renderer    // the hub's listener for the pages (render.go)
	handler    http.Handler

	meters meters // open streams and sockets, for /metrics

	coord      *coord.Service
	tokenNames tokenNames // API token id -> name, the default peer name

	trusted     []*net.IPNet
	bodyTimeout time.Duration
	setupDone   atomic.Bool   // an admin exists (cached: checked on every request)
	userLimit   *auth.Limiter // failed logins per account
	addrLimit   *auth.Limiter // failed logins per address
	auditLog    *audit.Log
	policy      PolicyEditor
	mux         *chi.Mux           // the router, for tests that walk every route
	notifier    *notify.Notifier   // Web Push and ntfy; nil if its keys could not be stored
	keyLocks    keyLocks           // one change per Idempotency-Key at a time
	downloads   downloads          // ct's binaries (download.go)
	pairs       *pairings          // Add a workstation codes (pair.go)
	events      EventSource        // session and prompt events (events_out.go)
	webhooks    events.Webhooks    // outbound webhooks (webhooks.go)
	mcpProxy    *mcpproxy.Registry // peer-hosted MCP servers (coord_mcp.go)
	simClock    *coord.SimClock    // the simulation clock (coord_clock.go)

	attachMax, attachSessionMax int64 // the composer's file limits (composer.go)
	// attachSlots bounds files being received at once (cap attachAtOnce):
	// each is held whole in memory while the wrap writes it.
	attachSlots chan struct{}
	stopGrace   time.Duration // SIGTERM to SIGKILL on "End program" (session_life.go)
	maxShareAge time.Duration // the longest a share link works (share.go)
}

// Routes exposes the router so tests can walk every registered route.
func (s *Server) Routes() chi.Routes { return s.mux }

// New builds the HTTP surface over services ct serve built and started
// (see serve.go); it starts none of its own. Register Listener() with the
// hub to have pages follow its changes.
func New(d Deps) *Server {
	s := &Server{hub: d.Hub, store: d.Store, log: d.Log, version: d.Version,
		trusted:     d.TrustedProxies,
		userLimit:   auth.NewLimiter(loginFailsPerUser, loginDelay, loginMaxDelay, loginWindow),
		addrLimit:   auth.NewLimiter(loginFailsPerAddr, loginDelay, loginMaxDelay, loginWindow),
		coord:       d.Coord,
		auditLog:    d.Audit,
		policy:      d.Policy,
		notifier:    d.Notifier,
		bodyTimeout: d.BodyTimeout,
		downloads:   downloads{dir: d.Downloads, self: d.SelfBinary},
		pairs:       newPairings(),
		events:      d.Events,
		webhooks:    d.Webhooks,
		mcpProxy:    d.MCPProxy,
		stopGrace:   cmp.Or(d.StopGrace, DefaultStopGrace),
		maxShareAge: cmp.Or(d.MaxShareAge, DefaultMaxShareAge),
		simClock:    d.SimClock,
	}
	if s.simClock == nil {
		s.simClock = coord.NewSimClock(d.Coord.Bus(), 0, nil)
	}
	if s.mcpProxy == nil {
		s.mcpProxy = mcpproxy.New(mcpproxy.Limits{}, nil)
	}
	s.attachMax, s.attachSessionMax = d.AttachMax, d.AttachSessionMax
	s.attachSlots = make(chan struct{}, attachAtOnce)
	if s.attachMax <= 0 {
		s.attachMax = DefaultAttachMax
	}
	if s.attachSessionMax <= 0 {
		s.attachSessionMax = DefaultAttachSessionMax
	}
	if s.bodyTimeout <= 0 {
		s.bodyTimeout = DefaultBodyTimeout
	}
	if s.events == nil {
		s.events = noEvents{} // tests that build a Server without events out
	}
	if s.webhooks.Store == nil {
		s.webhooks.Store = d.Store
	}
	s.sockets = newSockets()
	s.gitDiffMax = hub.CapOr(d.GitDiffMax, DefaultGitDiffMax)
	s.live = newLiveConns(hub.CapOr(d.MaxStreams, DefaultMaxStreams), hub.CapOr(d.MaxStreamsPerUser, DefaultMaxStreamsPerUser))
	s.pages, s.render = newPages(s)
	s.sse = s.pages.server
	s.handler = s.routes()
	return s
}

// Listener is what the hub tells about changes the pages must show; ct
// serve fans the hub's changes out to it and the notifier (hub.Listeners).
func (s *Server) Listener() hub.Listener { return s.render }

// Run sends the page streams' heartbeat until ctx ends or the streams are
// closed: a comment every 10 s keeps idle streams alive through proxies and
// ends those of vanished tabs, and the lobby's ageing states are refreshed.
// ct serve runs it in a goroutine it owns.
func (s *Server) Run(ctx context.Context) { s.pages.heartbeat(ctx) }

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// CloseStreams ends every SSE stream and WebSocket so shutdown is not held
// up by long-lived connections.
func (s *Server) CloseStreams() {
	s.pages.close()
	s.sockets.closeAll()
}

// Error is the one error type handlers return: Status and Msg are shown to
// the person; Err is logged, never shown.
type Error struct {
	Status int
	Msg    string
	Err    error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return e.Msg + ": " + e.Err.Error()
	}
	return e.Msg
}

func errorf(status int, msg string) *Error { return &Error{Status: status, Msg: msg} }

// handlerFunc is the shape of every handler.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// page adapts a handler for browsers: errors become an htmx toast for htmx
// requests and an error page otherwise.
func (s *Server) page(h handlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		err := h(w, r)
		e := s.asError(r, err)
		s.logRequest(r, start, e)
		if e == nil {
			return
		}
		if r.Header.Get("HX-Request") == "true" {
			w.Header().Set("HX-Retarget", "#flash")
			w.Header().Set("HX-Reswap", "innerHTML")
			w.WriteHeader(http.StatusOK) // htmx swaps only 2xx responses by default
			_ = views.Flash(e.Msg).Render(r.Context(), w)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(e.Status)
		_ = views.ErrorView(views.ErrorPage{Status: e.Status, Title: http.StatusText(e.Status), Msg: e.Msg}).Render(r.Context(), w)
	}
}

// asError maps any error to an *Error, logging internal ones.
func (s *Server) asError(r *http.Request, err error) *Error {
	if err == nil {
		return nil
	}
	var e *Error
	switch {
	case errors.As(err, &e):
	case errors.Is(err, hub.ErrNotFound), errors.Is(err, db.ErrNotFound):
		e = errorf(http.StatusNotFound, "No such session. It may have been removed; go back to the lobby.")
	case errors.Is(err, hub.ErrSettled):
		msg := err.Error()
		e = errorf(http.StatusConflict, strings.ToUpper(msg[:1])+msg[1:]+".")
	case errors.Is(err, db.ErrNotFound) && strings.Contains(r.URL.Path, "/p"):
		e = errorf(http.StatusNotFound, "No such prompt.")
	case errors.Is(err, hub.ErrBeingAnswered), errors.Is(err, hub.ErrTerminalOnly), errors.Is(err, hub.ErrNoSuchAnswer), errors.Is(err, hub.ErrSameApprover):
		msg := err.Error()
		e = errorf(http.StatusConflict, strings.ToUpper(msg[:1])+msg[1:]+".")
	case errors.Is(err, hub.ErrNotHolder), errors.Is(err, hub.ErrQuestionOpen):
		msg := err.Error()
		e = errorf(http.StatusConflict, strings.ToUpper(msg[:1])+msg[1:]+".")
	case errors.Is(err, hub.ErrBusy):
		e = errorf(http.StatusServiceUnavailable, hub.ErrBusy.Error())
	case errors.Is(err, hub.ErrOffline):
		e = errorf(http.StatusConflict, hub.ErrOffline.Error())
	default:
		e = &Error{Status: http.StatusInternalServerError, Msg: "Something went wrong on the hub; the details are in its log.", Err: err}
	}
	if e.Status >= 500 {
		s.log.Error("request failed", "method", r.Method, "path", loggedPath(r), "error", e.Error())
	}
	return e
}

func (s *Server) logRequest(r *http.Request, start time.Time, e *Error) {
	status := http.StatusOK
	if e != nil {
		status = e.Status
	}
	s.log.Debug("request", "method", r.Method, "path", loggedPath(r), "status", status, "duration_ms", time.Since(start).Milliseconds())
}

// loggedPath is the request's chi route pattern (/hooks/{hook}/{secret}),
// never its path: some paths carry credentials (webhook secrets, one-tap
// link tokens). Unrouted requests log the pattern-less placeholder.
func loggedPath(r *http.Request) string {
	if rc := chi.RouteContext(r.Context()); rc != nil {
		if p := rc.RoutePattern(); p != "" {
			return p
		}
	}
	return "(unrouted)"
}

// render writes a templ component as HTML.
func render(w http.ResponseWriter, r *http.Request, c templ.Component) error {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	return c.Render(r.Context(), w)
}
