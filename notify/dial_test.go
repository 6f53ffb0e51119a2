package notify

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/ct-dev/ct/db"
)

// SSRF: with the default policy a person's ntfy URL cannot make the hub
// POST to its own loopback services, whether named by address or by a
// name that resolves there, and a push endpoint cannot be plain http.
func TestDefaultPolicyRefusesLoopback(t *testing.T) {
	w := newWorld(t)
	n, err := New(Deps{Store: w.store, Log: w.n.log}) // the default policy
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(n.Close)
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { hits.Add(1) }))
	defer srv.Close()
	for _, u := range []string{srv.URL + "/topic", strings.Replace(srv.URL, "127.0.0.1", "localhost", 1) + "/topic"} {
		err := n.ntfy(context.Background(), db.NotifyPrefs{NtfyURL: u, BaseURL: "https://hub.example.net"}, Payload{Title: "t", Body: "b"})
		if err == nil || !errors.Is(err, ErrRefusedAddress) {
			t.Errorf("ntfy to %s: err = %v, want refused", u, err)
		}
	}
	sub := db.PushSub{Endpoint: srv.URL + "/push", P256dh: "BNc", Auth: "x"}
	if err := n.webPush(context.Background(), "ann", sub, Payload{Title: "t"}); !errors.Is(err, ErrRefusedAddress) {
		t.Errorf("web push to %s: err = %v, want refused", sub.Endpoint, err)
	}
	if h := hits.Load(); h != 0 {
		t.Fatalf("the loopback server was reached %d times", h)
	}
}

// A redirect is an answer, never followed: a server the hub may reach
// cannot bounce it to one it may not (here both are on loopback, allowed
// for the test, and the target must see nothing).
func TestRedirectsNotFollowed(t *testing.T) {
	w := newWorld(t)
	var hits atomic.Int32
	target := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { hits.Add(1) }))
	defer target.Close()
	bounce := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		http.Redirect(rw, r, target.URL+"/internal", http.StatusTemporaryRedirect)
	}))
	defer bounce.Close()
	err := w.n.ntfy(context.Background(), db.NotifyPrefs{NtfyURL: bounce.URL + "/topic"}, Payload{Title: "t", Body: "b"})
	if err == nil || !strings.Contains(err.Error(), "307") {
		t.Errorf("err = %v, want the 307 reported as a failure", err)
	}
	if h := hits.Load(); h != 0 {
		t.Fatalf("the redirect was followed (%d requests reached its target)", h)
	}
}

// Which addresses each policy lets through.
func TestDialPolicyRanges(t *testing.T) {
	for _, c := range []struct {
		ip              string
		public, private bool // allowed by the default policy / by AllowPrivate
	}{
		{"93.184.216.34", true, true},
		{"2606:4700::1111", true, true},
		{"127.0.0.1", false, true}, // a private ntfy next to the hub
		{"::1", false, true},
		{"::ffff:127.0.0.1", false, true},
		{"169.254.169.254", false, false}, // cloud metadata
		{"fd00:ec2::254", false, false},
		{"fe80::1", false, false},
		{"0.0.0.0", false, false},
		{"10.1.2.3", false, true},
		{"192.168.1.10", false, true},
		{"172.16.0.5", false, true},
		{"100.100.1.1", false, true}, // tailnet
		{"fd12::1", false, true},
	} {
		ip := netip.MustParseAddr(c.ip)
		if got := (DialPolicy{}).check(ip, false) == nil; got != c.public {
			t.Errorf("default policy, %s: allowed = %v, want %v", c.ip, got, c.public)
		}
		if got := (DialPolicy{AllowPrivate: true}).check(ip, true) == nil; got != c.private {
			t.Errorf("private policy, %s: allowed = %v, want %v", c.ip, got, c.private)
		}
	}
	if (DialPolicy{AllowPrivate: true}).CheckPushEndpoint("http://10.0.0.1/p") == "" {
		t.Error("a plain-http push endpoint was accepted")
	}
}
