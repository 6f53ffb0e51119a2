package client

import (
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// call is one request a fakeHub received.
type call struct {
	Method, Path, Query, Body string
	Header                    http.Header
}

// fakeHub records every request and answers with reply (default: 200 {}).
// It stands in for the hub's API: the client package must not import it.
type fakeHub struct {
	*httptest.Server
	mu    sync.Mutex // guards calls: the server's handlers run on their own goroutines
	calls []call
	reply func(c call, w http.ResponseWriter)
}

func newFakeHub(t *testing.T, reply func(c call, w http.ResponseWriter)) *fakeHub {
	t.Helper()
	h := &fakeHub{reply: reply}
	h.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		c := call{Method: r.Method, Path: r.URL.EscapedPath(), Query: r.URL.RawQuery, Body: string(b), Header: r.Header.Clone()}
		h.mu.Lock()
		h.calls = append(h.calls, c)
		h.mu.Unlock()
		if h.reply == nil {
			io.WriteString(w, "{}")
			return
		}
		h.reply(c, w)
	}))
	t.Cleanup(h.Close)
	return h
}

func (h *fakeHub) got() []call {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]call(nil), h.calls...)
}

// awayURL is the URL of a hub that is not there: a port that was just
// listening and is now closed, so connecting fails at once.
func awayURL(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return "http://" + addr
}

// bodyOf decodes a recorded JSON body the way the hub does (unknown
// fields refused), so a test fails if the client sends a field the hub's
// type does not have.
func bodyOf[T any](t *testing.T, c call) T {
	t.Helper()
	var v T
	decodeStrict(t, c, &v)
	return v
}

// decodeStrict decodes c's body into v, refusing unknown fields as the
// hub's readJSON does.
func decodeStrict(t *testing.T, c call, v any) {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(c.Body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		t.Fatalf("%s %s: body %q does not decode as the hub's %T: %v", c.Method, c.Path, c.Body, v, err)
	}
}
