package handlers

import (
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ct-dev/ct/db"
)

// Attack (issue 12, finding 14): 59 wrong guesses and the right password
// sent at the same moment, through the login form and HTTP Basic on
// /api/v1/tokens. The limit used to be checked before the slow password
// check and the failure recorded after it, so every guess got checked and
// none was refused. Now a try counts when it begins: at most the free tries
// are checked at all, the rest get 429.
func TestAttackParallelLoginGuesses(t *testing.T) {
	f := newAuthFixture(t, fixtureOpts{})
	const tries = 60
	statuses := make([]int, tries)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range tries {
		wg.Go(func() {
			pw := "wrong-guess-" + strconv.Itoa(i)
			if i == tries-1 {
				pw = testPassword
			}
			<-start
			if i%2 == 0 {
				statuses[i] = login(f, "admin", pw, nil).status
			} else {
				statuses[i] = f.do("POST", "/api/v1/tokens", `{"name":"x`+strconv.Itoa(i)+`","kind":"api"}`, cred{basic: [2]string{"admin", pw}}, nil).status
			}
		})
	}
	close(start)
	wg.Wait()
	checked, refused := 0, 0
	for _, st := range statuses {
		switch st {
		case http.StatusTooManyRequests:
			refused++
		case http.StatusUnauthorized, http.StatusSeeOther, http.StatusCreated, http.StatusOK:
			checked++
		default:
			t.Errorf("unexpected status %d", st)
		}
	}
	if checked > loginFailsPerUser || refused < tries-loginFailsPerUser {
		t.Fatalf("%d guesses checked and %d refused of %d sent at once; want at most %d checked", checked, refused, tries, loginFailsPerUser)
	}
}

// Attack (finding 20): post-login redirects that a browser turns into
// another site. "/\t/evil" passed the old prefix check; browsers drop the
// tab and follow "//evil".
func TestAttackLoginRedirectStaysOnSite(t *testing.T) {
	for _, next := range []string{"/\t/evil.example", "/\n/evil.example", "/\\evil.example", "//evil.example",
		"https://evil.example/", "/\r\n/evil.example", "javascript:alert(1)", "", "evil.example", "/ok\x7f"} {
		if got := safeNext(next); got != "/" {
			t.Errorf("safeNext(%q) = %q, want /", next, got)
		}
	}
	for _, next := range []string{"/approvals", "/s/abc?tab=transcript", "/p/1#x"} {
		if got := safeNext(next); got != next {
			t.Errorf("safeNext(%q) = %q, want it kept", next, got)
		}
	}
	// Through the form, end to end: the redirect after login is /.
	f := newAuthFixture(t, fixtureOpts{})
	res := f.do("POST", "/login", form("user", "admin", "password", testPassword, "next", "/\t/evil.example"), cred{}, nil)
	if res.status != http.StatusSeeOther || res.header.Get("Location") != "/" {
		t.Fatalf("login with next=/<tab>/evil: %d Location %q, want 303 to /", res.status, res.header.Get("Location"))
	}
}

// Finding 6: an unknown decision on /p/{id}/decide was a 500; it is a 400
// that names the allowed values, and the prompt stays pending.
func TestDecideUnknownDecisionIs400(t *testing.T) {
	f := newAuthFixture(t, fixtureOpts{})
	f.session("sess-a", "box-a")
	f.prompt("prm-a", "sess-a", "box-a")
	admin := cred{cookie: f.cookie("admin", time.Hour)}
	for _, dec := range []string{"maybe", "", "ALLOW"} {
		res := f.do("POST", "/p/prm-a/decide", form("decision", dec), admin, map[string]string{"Origin": f.ts.URL})
		if res.status != http.StatusBadRequest || !strings.Contains(res.body, "deny-message") {
			t.Errorf("decision %q: %d %.200s, want 400 naming the allowed values", dec, res.status, res.body)
		}
	}
	if p, _ := f.store.GetPrompt("prm-a"); p.State != db.PromptPending {
		t.Fatalf("prompt is %s after refused decisions, want pending", p.State)
	}
}

// Finding 16: a client that sends its body a byte at a time (or never)
// held its connection and handler forever. The body must arrive within the
// body timeout; the connection is then answered and closed.
func TestAttackSlowBodyIsCutOff(t *testing.T) {
	f := newAuthFixture(t, fixtureOpts{deps: func(d *Deps) { d.BodyTimeout = 300 * time.Millisecond }})
	c, err := net.Dial("tcp", strings.TrimPrefix(f.ts.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_, _ = io.WriteString(c, "POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nuser=")
	_ = c.SetReadDeadline(time.Now().Add(15 * time.Second)) // far past the body timeout
	start := time.Now()
	_, err = io.ReadAll(c)
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		t.Fatalf("connection still open %v after a stalled body (body timeout 300ms)", time.Since(start))
	}
}
