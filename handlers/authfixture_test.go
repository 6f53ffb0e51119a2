package handlers

import (
	"bufio"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ct-dev/ct/audit"
	"github.com/ct-dev/ct/auth"
	"github.com/ct-dev/ct/coord"
	"github.com/ct-dev/ct/db"
	"github.com/ct-dev/ct/hub"
	"github.com/ct-dev/ct/notify"
)

// The access tests share this fixture: a real bbolt store in t.TempDir(), a
// real hub, the whole router behind an httptest.Server, and helpers that put
// people, tokens, sessions and prompts straight into the store.

// testPassword is every fixture person's password.
const testPassword = "fixture-password-42"

var (
	hashOnce  sync.Once
	knownHash string
)

// passwordHash hashes testPassword once per test process: argon2id is slow
// on purpose, and most tests only need people to exist.
func passwordHash(t testing.TB) string {
	hashOnce.Do(func() {
		h, err := auth.HashPassword(testPassword)
		if err != nil {
			t.Fatal(err)
		}
		knownHash = h
	})
	return knownHash
}

type authFixture struct {
	t        testing.TB
	store    *db.Store
	hub      *hub.Hub
	audit    *audit.Log
	notifier *notify.Notifier
	srv      *Server
	// stopHeartbeat ends the page heartbeat at close.
	stopHeartbeat func()
	ts            *httptest.Server
	client        *http.Client // follows no redirects: tests look at them
	setupToken    string       // set when the store started without people
	closeOnce     sync.Once
}

// fixtureOpts shape a fixture.
type fixtureOpts struct {
	noAdmin       bool          // leave the store empty: first-start setup pending
	adminPassword string        // create admin as ct serve does with CT_ADMIN_PASSWORD
	trusted       []*net.IPNet  // --trusted-proxy
	tls           bool          // serve HTTPS
	dir           string        // store directory (default: a new t.TempDir())
	logTo         io.Writer     // hub log (default: discarded)
	deps          func(d *Deps) // last changes to Deps
}

func newAuthFixture(t testing.TB, o fixtureOpts) *authFixture {
	t.Helper()
	if o.dir == "" {
		o.dir = t.TempDir()
	}
	store, err := db.Open(o.dir)
	if err != nil {
		t.Fatal(err)
	}
	if o.logTo == nil {
		o.logTo = io.Discard
	}
	log := slog.New(slog.NewTextHandler(o.logTo, nil))
	h, err := hub.New(store, log, hub.Options{})
	if err != nil {
		t.Fatal(err)
	}
	f := &authFixture{t: t, store: store, hub: h}
	if o.noAdmin {
		if f.setupToken, err = EnsureAdmin(store, ""); err != nil || f.setupToken == "" {
			t.Fatalf("EnsureAdmin on an empty store: %q, %v", f.setupToken, err)
		}
	} else if o.adminPassword != "" {
		if tok, err := EnsureAdmin(store, o.adminPassword); tok != "" || err != nil {
			t.Fatalf("EnsureAdmin with a password: %q, %v", tok, err)
		}
	} else {
		f.addUser("admin", auth.RoleAdmin, auth.AllMachines)
	}
	f.audit = audit.New(store, log)
	self := filepath.Join(t.TempDir(), "ct") // what /download serves for this OS/arch
	if err := os.WriteFile(self, []byte("not really ct\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	d := Deps{Hub: h, Store: store, Log: log, Version: "test", TrustedProxies: o.trusted,
		Coord: coord.New(store, nil, log), Audit: f.audit, SelfBinary: self}
	if n, err := notify.New(notify.Deps{Store: store, Log: log, Waiting: h.AgentWaiting}); err != nil {
		t.Fatal(err)
	} else {
		d.Notifier = n
	}
	if o.deps != nil {
		o.deps(&d)
	}
	f.notifier = d.Notifier
	f.srv = New(d)
	// Composed as ct serve does: pages and notifier follow the hub, and
	// the page heartbeat runs until close.
	if d.Notifier != nil {
		h.SetListener(hub.Listeners{f.srv.Listener(), d.Notifier})
	} else {
		h.SetListener(f.srv.Listener())
	}
	hbCtx, stopHB := context.WithCancel(context.Background())
	f.stopHeartbeat = stopHB
	go f.srv.Run(hbCtx)
	if o.tls {
		f.ts = httptest.NewTLSServer(f.srv)
		f.client = f.ts.Client()
	} else {
		f.ts = httptest.NewServer(f.srv)
		f.client = &http.Client{}
	}
	f.client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	t.Cleanup(f.close)
	return f
}

// close stops everything in the order ct serve does: streams, HTTP,
// notifier, audit queue, hub, store. Safe to call twice.
func (f *authFixture) close() {
	f.closeOnce.Do(func() {
		f.stopHeartbeat()
		f.srv.CloseStreams()
		f.ts.Close()
		if f.notifier != nil {
			f.notifier.Close()
		}
		f.audit.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := f.hub.Close(ctx); err != nil {
			f.t.Errorf("hub close: %v", err)
		}
		if err := f.store.Close(); err != nil {
			f.t.Errorf("store close: %v", err)
		}
	})
}

// addUser creates a person whose password is testPassword.
func (f *authFixture) addUser(name, role string, grants ...string) {
	f.t.Helper()
	u := db.User{Name: name, Role: role, Grants: grants, PasswordHash: passwordHash(f.t), CreatedAt: time.Now().UTC()}
	if err := f.store.CreateUser(u); err != nil {
		f.t.Fatal(err)
	}
}

// cookie logs user in without the password: a browser session straight in
// the store, as startWebSession makes it. ttl < 0 makes an expired one.
func (f *authFixture) cookie(user string, ttl time.Duration) string {
	f.t.Helper()
	plain, id, hash := auth.NewToken(auth.KindSession)
	now := time.Now().UTC()
	if err := f.store.PutWebSession(db.WebSession{ID: id, Hash: hash, User: user, CreatedAt: now, ExpiresAt: now.Add(ttl)}); err != nil {
		f.t.Fatal(err)
	}
	return plain
}

// token stores a token of kind for user (role: API tokens; machine: machine tokens).
func (f *authFixture) token(user, kind, role, machine string) (plain, id string) {
	f.t.Helper()
	plain, id, hash := auth.NewToken(kind)
	t := db.Token{ID: id, Hash: hash, Kind: kind, Name: "t-" + id, User: user, Role: role, Machine: machine, CreatedAt: time.Now().UTC()}
	if err := f.store.PutToken(t); err != nil {
		f.t.Fatal(err)
	}
	return plain, id
}

// session stores an offline session of machine node (and the node).
func (f *authFixture) session(id, node string) {
	f.t.Helper()
	if err := f.store.PutNode(db.Node{Name: node, Hostname: node + ".lan", LastSeen: time.Now().UTC()}); err != nil {
		f.t.Fatal(err)
	}
	if _, err := f.store.UpsertSession(db.Session{ID: id, Node: node, Command: "bash", Cwd: "/home/" + node, Cols: 80, Rows: 24, Status: "offline", StartedAt: time.Now().UTC()}); err != nil {
		f.t.Fatal(err)
	}
}

// prompt stores a pending prompt of session sid on machine node.
func (f *authFixture) prompt(id, sid, node string) {
	f.t.Helper()
	p := db.Prompt{ID: id, WrapID: "w-" + id, SessionID: sid, Node: node, Kind: "hook", Tool: "Bash",
		Input: []byte(`{"command":"rm -rf build-` + node + `"}`), State: db.PromptPending, CreatedAt: time.Now().UTC()}
	if err := f.store.PutPrompt(p); err != nil {
		f.t.Fatal(err)
	}
}

// cred is how a request authenticates.
type cred struct {
	name   string
	cookie string // ct_session value
	bearer string // Authorization: Bearer
	basic  [2]string
	header string        // a raw Authorization header
	fresh  func() string // a new cookie per request (for routes that end it)
}

func (c cred) apply(r *http.Request) {
	if c.fresh != nil {
		c.cookie = c.fresh()
	}
	if c.cookie != "" {
		r.AddCookie(&http.Cookie{Name: sessionCookie, Value: c.cookie})
	}
	switch {
	case c.bearer != "":
		r.Header.Set("Authorization", "Bearer "+c.bearer)
	case c.basic[0] != "":
		r.SetBasicAuth(c.basic[0], c.basic[1])
	case c.header != "":
		r.Header.Set("Authorization", c.header)
	}
}

// result is what a request got back.
type result struct {
	status int
	header http.Header
	body   string
}

// do sends one request. A form body is sent as a form, one starting with
// "{" as JSON. An event stream is read up to its first event, then dropped.
func (f *authFixture) do(method, path, body string, c cred, hdr map[string]string) result {
	f.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, f.ts.URL+path, strings.NewReader(body))
	if err != nil {
		f.t.Fatal(err)
	}
	if body != "" {
		if strings.HasPrefix(body, "{") {
			req.Header.Set("Content-Type", "application/json")
		} else {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
	}
	c.apply(req)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := f.client.Do(req)
	if err != nil {
		f.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	res := result{status: resp.StatusCode, header: resp.Header}
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		res.body = firstEvent(resp.Body)
		return res
	}
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	res.body = string(b)
	return res
}

// firstEvent reads an SSE stream up to the end of its first event (every
// stream sends the page's current state as soon as it opens), or at most 5 s.
func firstEvent(r io.Reader) string {
	lines := make(chan string)
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			select {
			case lines <- sc.Text():
			case <-stop:
				return
			}
		}
		close(lines)
	}()
	var b strings.Builder
	limit := time.After(5 * time.Second) // a cap on reading, not an assertion
	for {
		select {
		case l, ok := <-lines:
			if !ok {
				return b.String()
			}
			b.WriteString(l + "\n")
			if l == "" && strings.Contains(b.String(), "data:") {
				return b.String()
			}
		case <-limit:
			return b.String()
		}
	}
}

// form encodes key/value pairs as a form body.
func form(kv ...string) string {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Add(kv[i], kv[i+1])
	}
	return v.Encode()
}
