package client

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ct-dev/ct/coord"
)

// Each typed method makes the request the hub's API documents, with a
// body the hub's own type decodes (unknown fields refused), and decodes
// the hub's answer.
func TestTypedMethods(t *testing.T) {
	done := coord.TodoDone
	status := "reviewing"
	cases := []struct {
		name        string
		call        func(context.Context, *Client) (any, error)
		method      string
		path, query string
		body        any // the hub's request type, filled as it should decode; nil: no body
		reply       string
		want        any
	}{
		{"SendMessage", func(ctx context.Context, c *Client) (any, error) {
			m, _, err := c.SendMessage(ctx, coord.Message{To: "bob", Body: "hi", Priority: "P1"})
			return m.ID, err
		}, "POST", "/api/v1/messages", "", &coord.Message{To: "bob", Body: "hi", Priority: "P1"}, `{"id":"m1"}`, "m1"},
		{"ListMessages", func(ctx context.Context, c *Client) (any, error) {
			l, err := c.ListMessages(ctx, coord.MessageFilter{Box: "all", Unread: true, Query: "x y", Re: "m1"}, 30*time.Second)
			return len(l), err
		}, "GET", "/api/v1/messages", "box=all&q=x+y&re=m1&unread=1&wait=30s", nil, `[{"id":"m2"},{"id":"m3"}]`, 2},
		{"ReadMessage", func(ctx context.Context, c *Client) (any, error) {
			m, err := c.ReadMessage(ctx, "a/b")
			return m.Subject, err
		}, "GET", "/api/v1/messages/a%2Fb", "", nil, `{"subject":"s"}`, "s"},
		{"AckMessage", func(ctx context.Context, c *Client) (any, error) {
			m, err := c.AckMessage(ctx, "m1")
			return m.ID, err
		}, "POST", "/api/v1/messages/m1/ack", "", nil, `{"id":"m1"}`, "m1"},
		{"AcquireLock", func(ctx context.Context, c *Client) (any, error) {
			l, err := c.AcquireLock(ctx, "deploy", 5*time.Minute, "release")
			return l.Holder, err
		}, "POST", "/api/v1/locks", "", &coord.LockRequest{Name: "deploy", TTL: "5m0s", Reason: "release"}, `{"name":"deploy","holder":"me"}`, "me"},
		{"ReleaseLock", func(ctx context.Context, c *Client) (any, error) {
			return nil, c.ReleaseLock(ctx, "deploy", true)
		}, "DELETE", "/api/v1/locks/deploy", "force=1", nil, "", nil},
		{"ListLocks", func(ctx context.Context, c *Client) (any, error) {
			l, err := c.ListLocks(ctx)
			return l[0].Name, err
		}, "GET", "/api/v1/locks", "", nil, `[{"name":"deploy"}]`, "deploy"},
		{"AddTodo", func(ctx context.Context, c *Client) (any, error) {
			td, _, err := c.AddTodo(ctx, coord.Todo{Title: "docs", Assignee: "bob"})
			return td.ID, err
		}, "POST", "/api/v1/todos", "", &coord.Todo{Title: "docs", Assignee: "bob"}, `{"id":"1"}`, "1"},
		{"UpdateTodo", func(ctx context.Context, c *Client) (any, error) {
			td, _, err := c.UpdateTodo(ctx, "7", coord.TodoUpdate{State: &done})
			return td.State, err
		}, "PATCH", "/api/v1/todos/7", "", &coord.TodoUpdate{State: &done}, `{"state":"done"}`, "done"},
		{"ListTodos", func(ctx context.Context, c *Client) (any, error) {
			l, err := c.ListTodos(ctx, "", "open")
			return len(l), err
		}, "GET", "/api/v1/todos", "state=open", nil, `[]`, 0},
		{"AddReminder", func(ctx context.Context, c *Client) (any, error) {
			r, err := c.AddReminder(ctx, coord.Reminder{To: "bob", Body: "standup", Cron: "0 9 * * 1-5"})
			return r.ID, err
		}, "POST", "/api/v1/reminders", "", &coord.Reminder{To: "bob", Body: "standup", Cron: "0 9 * * 1-5"}, `{"id":"r1"}`, "r1"},
		{"ListReminders", func(ctx context.Context, c *Client) (any, error) {
			l, err := c.ListReminders(ctx)
			return len(l), err
		}, "GET", "/api/v1/reminders", "", nil, `[{"id":"r1"}]`, 1},
		{"ListPeers", func(ctx context.Context, c *Client) (any, error) {
			l, err := c.ListPeers(ctx)
			return l[0].Name, err
		}, "GET", "/api/v1/peers", "", nil, `[{"name":"bob"}]`, "bob"},
		{"UpdatePeer", func(ctx context.Context, c *Client) (any, error) {
			p, err := c.UpdatePeer(ctx, coord.PeerUpdate{Status: &status})
			return p.Status, err
		}, "PATCH", "/api/v1/peers/me", "", &coord.PeerUpdate{Status: &status}, `{"status":"reviewing"}`, "reviewing"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			hub := newFakeHub(t, func(_ call, w http.ResponseWriter) { w.Write([]byte(tc.reply)) })
			c := New(Config{Hub: hub.URL + "/", Token: "cta_t", Peer: "alice-1", Kind: coord.KindAI})
			got, err := tc.call(context.Background(), c)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("decoded %v, want %v", got, tc.want)
			}
			calls := hub.got()
			if len(calls) != 1 {
				t.Fatalf("%d requests, want 1", len(calls))
			}
			r := calls[0]
			if r.Method != tc.method || r.Path != tc.path || r.Query != tc.query {
				t.Errorf("request %s %s?%s, want %s %s?%s", r.Method, r.Path, r.Query, tc.method, tc.path, tc.query)
			}
			for h, want := range map[string]string{"Authorization": "Bearer cta_t", PeerHeader: "alice-1", PeerKindHeader: coord.KindAI} {
				if r.Header.Get(h) != want {
					t.Errorf("%s: %q, want %q", h, r.Header.Get(h), want)
				}
			}
			checkBody(t, r, tc.body)
		})
	}
}

// checkBody decodes r's body into a new value of want's type the way the
// hub does and compares.
func checkBody(t *testing.T, r call, want any) {
	t.Helper()
	if want == nil {
		if r.Body != "" {
			t.Errorf("body %q, want none", r.Body)
		}
		return
	}
	got := reflect.New(reflect.TypeOf(want).Elem()).Interface()
	decodeStrict(t, r, got)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("body decodes to %+v, want %+v", got, want)
	}
}

// A refusal is an *APIError in the hub's words; a hub that cannot be
// reached, or whose proxy says it is down, is ErrHubAway.
func TestErrors(t *testing.T) {
	ctx := context.Background()
	hub := newFakeHub(t, func(c call, w http.ResponseWriter) {
		switch c.Path {
		case "/api/v1/locks":
			w.WriteHeader(http.StatusConflict)
			w.Write([]byte(`{"error":"deploy is held by bob until 10:00"}`))
		case "/api/v1/todos":
			http.Error(w, "proxy says no", http.StatusForbidden)
		default:
			w.WriteHeader(http.StatusBadGateway)
		}
	})
	c := New(Config{Hub: hub.URL, Token: "t"})
	var ae *APIError
	if _, err := c.AcquireLock(ctx, "deploy", 0, ""); !errors.As(err, &ae) || ae.Status != 409 || ae.Msg != "deploy is held by bob until 10:00" {
		t.Errorf("409: %#v", err)
	}
	if _, err := c.ListTodos(ctx, "", ""); !errors.As(err, &ae) || ae.Status != 403 || ae.Msg != "proxy says no" {
		t.Errorf("403 with a text body: %#v", err)
	}
	if _, err := c.ListPeers(ctx); !errors.Is(err, ErrHubAway) {
		t.Errorf("502: %v, want ErrHubAway", err)
	}
	if _, err := New(Config{Hub: awayURL(t), Token: "t"}).ListPeers(ctx); !errors.Is(err, ErrHubAway) {
		t.Errorf("unreachable: %v, want ErrHubAway", err)
	}
	// Without an outbox a change fails like any call instead of queueing.
	if _, queued, err := New(Config{Hub: awayURL(t), Token: "t"}).SendMessage(ctx, coord.Message{To: "bob"}); queued || !errors.Is(err, ErrHubAway) {
		t.Errorf("send without an outbox: queued=%v %v", queued, err)
	}
}

// CreateToken authenticates with HTTP Basic when given a name and
// password, else with the token, and returns the hub's new token.
func TestCreateToken(t *testing.T) {
	ctx := context.Background()
	hub := newFakeHub(t, func(c call, w http.ResponseWriter) {
		if c.Header.Get("Authorization") == "Bearer bad" {
			w.WriteHeader(http.StatusForbidden)
			w.Write([]byte(`{"error":"Create API tokens with your password or in the web UI."}`))
			return
		}
		w.WriteHeader(http.StatusCreated)
		w.Write([]byte(`{"token":"ctm_new"}`))
	})
	c := New(Config{Hub: hub.URL, User: "ann", Password: "pw", Token: "ignored"})
	tok, err := c.CreateToken(ctx, TokenRequest{Name: "laptop", Kind: "machine"})
	if err != nil || tok != "ctm_new" {
		t.Fatalf("token %q, %v", tok, err)
	}
	r := hub.got()[0]
	if user, pw, ok := (&http.Request{Header: r.Header}).BasicAuth(); !ok || user != "ann" || pw != "pw" {
		t.Errorf("basic auth %q %q %v", user, pw, ok)
	}
	if r.Method != "POST" || r.Path != "/api/v1/tokens" || r.Body != `{"name":"laptop","kind":"machine"}` {
		t.Errorf("request %s %s %s", r.Method, r.Path, r.Body)
	}
	_, err = New(Config{Hub: hub.URL, Token: "bad"}).CreateToken(ctx, TokenRequest{Name: "x", Kind: "api"})
	if err == nil || err.Error() != "the hub refused (403 Forbidden): Create API tokens with your password or in the web UI." {
		t.Errorf("refused: %v", err)
	}
	if _, err := New(Config{Hub: hub.URL}).CreateToken(ctx, TokenRequest{Name: "x"}); err == nil || !strings.Contains(err.Error(), "CT_USER and CT_PASSWORD") {
		t.Errorf("no credentials: %v", err)
	}
}

// Backup copies the whole store, fails when the download is cut short,
// and lets the caller tell a refusal (401/403) from other failures.
func TestBackup(t *testing.T) {
	ctx := context.Background()
	store := bytes.Repeat([]byte("bbolt"), 1000)
	hub := newFakeHub(t, func(c call, w http.ResponseWriter) {
		switch c.Header.Get("Authorization") {
		case "Bearer admin":
			w.Header().Set(AuditHeadHeader, "7:"+strings.Repeat("a", 64)+":"+strings.Repeat("b", 64))
			w.Write(store)
		case "Bearer short":
			w.Header().Set("Content-Length", "9000")
			w.Write(store[:100]) // the hub dies mid-download
		default:
			w.WriteHeader(http.StatusForbidden)
			w.Write([]byte(`{"error":"admins only"}`))
		}
	})
	var buf bytes.Buffer
	if res, err := New(Config{Hub: hub.URL, Token: "admin"}).Backup(ctx, &buf); err != nil || res.Bytes != int64(len(store)) || !bytes.Equal(buf.Bytes(), store) || !strings.HasPrefix(res.AuditHead, "7:aaaa") {
		t.Fatalf("backup: %+v, %v", res, err)
	}
	if r := hub.got()[0]; r.Method != "GET" || r.Path != "/api/v1/admin/backup" {
		t.Errorf("request %s %s", r.Method, r.Path)
	}
	if _, err := New(Config{Hub: hub.URL, Token: "short"}).Backup(ctx, &bytes.Buffer{}); err == nil || !strings.Contains(err.Error(), "cut short") {
		t.Errorf("cut short: %v", err)
	}
	_, err := New(Config{Hub: hub.URL, Token: "member"}).Backup(ctx, &bytes.Buffer{})
	var ae *APIError
	if !errors.As(err, &ae) || ae.Status != http.StatusForbidden || err.Error() != "the hub refused the backup (403 Forbidden): admins only" {
		t.Errorf("refused: %v", err)
	}
}
