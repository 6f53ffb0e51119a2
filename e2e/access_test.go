package e2e

import (
	"bufio"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// Access control with real ct serve and ct wrap processes: revoking a
// machine token, and what viewers and members can and cannot do.

// accCred authenticates a request: a Bearer token or a login cookie.
type accCred struct{ bearer, cookie string }

// accDo sends one request (a body starting with "{" as JSON, any other as a
// form) and returns the status, body and headers. Redirects are not followed.
func accDo(t *testing.T, method, u string, c accCred, body string, hdr map[string]string) (int, string, http.Header) {
	t.Helper()
	req, err := http.NewRequest(method, u, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		if strings.HasPrefix(body, "{") {
			req.Header.Set("Content-Type", "application/json")
		} else {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
	}
	if c.bearer != "" {
		req.Header.Set("Authorization", "Bearer "+c.bearer)
	}
	if c.cookie != "" {
		req.AddCookie(&http.Cookie{Name: "ct_session", Value: c.cookie})
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	client := &http.Client{
		Timeout:       20 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, u, err)
	}
	defer resp.Body.Close()
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		return resp.StatusCode, "", resp.Header // a stream that opened; its content is not needed
	}
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

func accForm(kv ...string) string {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Add(kv[i], kv[i+1])
	}
	return v.Encode()
}

// accLogin logs a person in through the login form and returns the cookie.
func accLogin(t *testing.T, hubURL, user, password string) string {
	t.Helper()
	code, body, hdr := accDo(t, "POST", hubURL+"/login", accCred{}, accForm("user", user, "password", password), nil)
	for _, c := range (&http.Response{Header: hdr}).Cookies() {
		if c.Name == "ct_session" && c.Value != "" {
			return c.Value
		}
	}
	t.Fatalf("login as %s: %d, no cookie: %.300s", user, code, body)
	return ""
}

// accAddUser creates a person through the admin page, with the admin token.
func accAddUser(t *testing.T, h *Hub, name, role, grants, password string) {
	t.Helper()
	code, body, _ := accDo(t, "POST", h.URL+"/admin/users", accCred{bearer: h.Token}, accForm("name", name, "role", role, "grants", grants, "password", password), nil)
	if code != http.StatusSeeOther {
		t.Fatalf("add %s: %d %.300s", name, code, body)
	}
}

// accPending waits for a pending prompt of session sid and returns its id.
func accPending(t *testing.T, hubURL, sid string) string {
	t.Helper()
	var id string
	WaitFor(t, 15*time.Second, "a pending prompt of "+sid, func() bool {
		var ps []struct {
			ID        string `json:"id"`
			SessionID string `json:"session_id"`
			State     string `json:"state"`
		}
		if json.Unmarshal([]byte(Get(hubURL+"/api/v1/prompts?state=pending")), &ps) != nil {
			return false
		}
		for _, p := range ps {
			if p.SessionID == sid {
				id = p.ID
				return true
			}
		}
		return false
	})
	return id
}

func accPromptState(t *testing.T, hubURL, id string) string {
	t.Helper()
	var ps []struct{ ID, State string }
	_ = json.Unmarshal([]byte(Get(hubURL+"/api/v1/prompts")), &ps)
	for _, p := range ps {
		if p.ID == id {
			return p.State
		}
	}
	return "missing"
}

// accProxy is a TCP relay between ct wrap and the hub that records the
// status line of the hub's first answer on each connection, so a test sees a
// reconnect attempt and its answer without guessing at the wrap's backoff.
type accProxy struct {
	ln      net.Listener
	mu      sync.Mutex
	answers []string // per connection, in order: "HTTP/1.1 101 ..." or "" before the answer
}

func startAccProxy(t *testing.T, target string) *accProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &accProxy{ln: ln}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			p.mu.Lock()
			i := len(p.answers)
			p.answers = append(p.answers, "")
			p.mu.Unlock()
			go p.relay(c, target, i)
		}
	}()
	return p
}

func (p *accProxy) relay(c net.Conn, target string, i int) {
	defer c.Close()
	up, err := net.Dial("tcp", target)
	if err != nil {
		return
	}
	defer up.Close()
	done := make(chan struct{}, 2)
	go func() { _, _ = io.Copy(up, c); done <- struct{}{} }()
	go func() {
		br := bufio.NewReader(up)
		line, err := br.ReadString('\n')
		p.mu.Lock()
		p.answers[i] = strings.TrimSpace(line)
		p.mu.Unlock()
		if err == nil {
			_, _ = c.Write([]byte(line))
			_, _ = io.Copy(c, br)
		}
		done <- struct{}{}
	}()
	<-done // either side ending ends the relay
}

// snapshot returns the answers so far.
func (p *accProxy) snapshot() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.answers...)
}

// Revoking a machine token closes the wrap's open WebSocket (the session
// goes offline) and refuses its reconnects; the program under ct wrap runs
// on, and wrap says on stderr why the hub refused it.
func TestRevokedMachineToken(t *testing.T) {
	h := StartHub(t, t.TempDir(), "127.0.0.1:0")
	proxy := startAccProxy(t, h.Addr)
	tok := MachineToken(t, h.URL, "revbox")
	parts := strings.SplitN(tok, "_", 3)
	if len(parts) != 3 || parts[0] != "ctm" {
		t.Fatalf("machine token %q has no id", tok)
	}
	id := parts[1]
	script := `echo up-and-running; while read l; do echo "got:$l"; [ "$l" = quit ] && exit 3; done`
	w := StartWrap(t, []string{"CT_TOKEN=" + tok}, "--hub", "http://"+proxy.ln.Addr().String(), "--name", "revbox", "--", "bash", "-c", script)
	s := SessionFor(t, h.URL, "revbox")
	waitStatus(t, h.URL, s.ID, "live")
	waitLogContains(t, h.URL, s.ID, "up-and-running")
	if a := proxy.snapshot(); len(a) != 1 || !strings.Contains(a[0], " 101 ") {
		t.Fatalf("the wrap's connections so far: %q, want one upgraded (101)", a)
	}

	code, body, _ := accDo(t, "DELETE", h.URL+"/api/v1/tokens/"+id, accCred{bearer: h.Token}, "", nil)
	if code != http.StatusOK {
		t.Fatalf("revoke: %d %s", code, body)
	}
	waitStatus(t, h.URL, s.ID, "offline")
	// The wrap dials again (its backoff starts at 1 s) and is turned away
	// with 401 before any upgrade.
	WaitFor(t, 20*time.Second, "the hub's answer to a reconnect", func() bool {
		a := proxy.snapshot()
		return len(a) > 1 && a[len(a)-1] != ""
	})
	for _, a := range proxy.snapshot()[1:] {
		if a != "" && !strings.Contains(a, " 401 ") {
			t.Fatalf("the hub answered a reconnect with the revoked token %q, want 401", a)
		}
	}
	if st, _ := sessionByID(h.URL, s.ID); st.Status != "offline" {
		t.Fatalf("after a refused reconnect the session is %q, want offline", st.Status)
	}
	// The program is unaffected: it takes local input and exits normally.
	if _, err := w.Stdin.Write([]byte("after-revoke\n")); err != nil {
		t.Fatal(err)
	}
	waitStdout(t, w, "got:after-revoke")
	if _, err := w.Stdin.Write([]byte("quit\n")); err != nil {
		t.Fatal(err)
	}
	if code := w.Wait(t, 30*time.Second); code != 3 {
		t.Fatalf("wrap exit code %d, want 3; stderr: %s", code, w.Stderr.String())
	}
	stderr := w.Stderr.String()
	if !strings.Contains(stderr, "refused the connection: 401") || !strings.Contains(stderr, "revoked") {
		t.Errorf("wrap's stderr does not say the hub refused the revoked token:\n%s", stderr)
	}
	if st, _ := sessionByID(h.URL, s.ID); st.Status != "offline" {
		t.Errorf("session after the wrap exited: %q, want offline (the end never reached the hub)", st.Status)
	}
	if log := Get(h.URL + "/api/v1/sessions/" + s.ID + "/log"); strings.Contains(log, "after-revoke") {
		t.Errorf("output made after the revoke reached the hub: %q", log)
	}
	// The token page shows it revoked.
	_, page, _ := accDo(t, "GET", h.URL+"/tokens", accCred{bearer: h.Token}, "", nil)
	if !strings.Contains(page, "revbox") || !strings.Contains(strings.ToLower(page), "revoked") {
		t.Errorf("the tokens page does not show revbox revoked: %.1000s", page)
	}
}

// A viewer cannot type or approve, whatever request they craft (API, form,
// htmx); a member sees only the machines they are granted (lobby, API,
// session page, streams, approvals) and drives those.
func TestRolesEndToEnd(t *testing.T) {
	h := StartHub(t, t.TempDir(), "127.0.0.1:0")
	accAddUser(t, h, "mona", "member", "boxa", "mona-password-123")
	accAddUser(t, h, "vera", "viewer", "boxa", "vera-password-123")
	scriptA := `printf 'Deploy now? [y/N] '; read a; echo "answer=$a"; while read l; do echo "got:$l"; done`
	scriptB := `printf 'Wipe the disk? [y/N] '; read a; echo "answer=$a"; sleep 120`
	StartWrap(t, nil, "--hub", h.URL, "--name", "boxa", "--", "bash", "-c", scriptA)
	StartWrap(t, nil, "--hub", h.URL, "--name", "boxb", "--", "bash", "-c", scriptB)
	sa, sb := SessionFor(t, h.URL, "boxa"), SessionFor(t, h.URL, "boxb")
	pa, pb := accPending(t, h.URL, sa.ID), accPending(t, h.URL, sb.ID)

	veraAPI := MintToken(t, h.URL, "vera", "vera-password-123", map[string]string{"name": "vera-cli", "kind": "api"})
	monaAPI := MintToken(t, h.URL, "mona", "mona-password-123", map[string]string{"name": "mona-cli", "kind": "api"})
	vera := accCred{cookie: accLogin(t, h.URL, "vera", "vera-password-123")}
	mona := accCred{cookie: accLogin(t, h.URL, "mona", "mona-password-123")}
	browser := map[string]string{"Sec-Fetch-Site": "same-origin", "Origin": h.URL}
	htmx := map[string]string{"Sec-Fetch-Site": "same-origin", "Origin": h.URL, "HX-Request": "true"}

	// The viewer watches boxa...
	if code, _, _ := accDo(t, "GET", h.URL+"/s/"+sa.ID, vera, "", nil); code != 200 {
		t.Fatalf("viewer's session page: %d", code)
	}
	// ...but every way of typing or answering is refused.
	crafted := []struct {
		name, method, path string
		c                  accCred
		body               string
		hdr                map[string]string
	}{
		{"API input, viewer token", "POST", "/api/v1/sessions/" + sa.ID + "/input", accCred{bearer: veraAPI}, `{"text":"viewer-was-here\r"}`, nil},
		{"API keys, viewer token", "POST", "/api/v1/sessions/" + sa.ID + "/input", accCred{bearer: veraAPI}, `{"keys":["y","Enter"]}`, nil},
		{"API input, viewer cookie", "POST", "/api/v1/sessions/" + sa.ID + "/input", vera, `{"text":"viewer-was-here\r"}`, browser},
		{"form input", "POST", "/s/" + sa.ID + "/input", vera, accForm("text", "viewer-was-here"), browser},
		{"form key", "POST", "/s/" + sa.ID + "/input", vera, accForm("key", "y"), browser},
		{"htmx input", "POST", "/s/" + sa.ID + "/input", vera, accForm("text", "viewer-was-here"), htmx},
		{"form settings", "POST", "/s/" + sa.ID + "/settings", vera, accForm("terminal_only", "on"), browser},
		{"API decision, viewer token", "POST", "/api/v1/prompts/" + pa + "/decision", accCred{bearer: veraAPI}, `{"decision":"allow"}`, nil},
		{"API decision, viewer cookie", "POST", "/api/v1/prompts/" + pa + "/decision", vera, `{"decision":"allow","scope":"session"}`, browser},
		{"form decision", "POST", "/p/" + pa + "/decide", vera, accForm("decision", "allow"), browser},
		{"form allow for the session", "POST", "/p/" + pa + "/decide", vera, accForm("scope", "session"), browser},
		{"htmx decision", "POST", "/p/" + pa + "/decide", vera, accForm("decision", "allow"), htmx},
	}
	for _, c := range crafted {
		code, body, _ := accDo(t, c.method, h.URL+c.path, c.c, c.body, c.hdr)
		switch {
		case c.hdr != nil && c.hdr["HX-Request"] == "true":
			// htmx swaps only 2xx answers, so errors come back as a 200 toast.
			if !strings.Contains(body, "cannot") {
				t.Errorf("%s: %d %q, want the refusal as a toast", c.name, code, body)
			}
		case code != http.StatusForbidden:
			t.Errorf("%s: %d, want 403: %.200s", c.name, code, body)
		}
	}
	if st := accPromptState(t, h.URL, pa); st != "pending" {
		t.Fatalf("a viewer's request settled the prompt: %s", st)
	}

	// The member sees boxa and not boxb, wherever they look.
	for _, c := range []struct {
		name, path string
		cr         accCred
	}{
		{"lobby", "/", mona}, {"sessions API", "/api/v1/sessions", accCred{bearer: monaAPI}},
		{"approvals", "/approvals", mona}, {"prompts API", "/api/v1/prompts", accCred{bearer: monaAPI}},
	} {
		code, body, _ := accDo(t, "GET", h.URL+c.path, c.cr, "", nil)
		if code != 200 || !strings.Contains(body, sa.ID) && !strings.Contains(body, pa) {
			t.Errorf("member's %s: %d, want boxa's session or prompt in it: %.300s", c.name, code, body)
		}
		for _, hidden := range []string{sb.ID, pb, "boxb", "Wipe the disk"} {
			if strings.Contains(body, hidden) {
				t.Errorf("member's %s shows %q of ungranted boxb", c.name, hidden)
			}
		}
	}
	for _, p := range []string{"/s/" + sb.ID, "/api/v1/sessions/" + sb.ID, "/api/v1/sessions/" + sb.ID + "/screen",
		"/api/v1/sessions/" + sb.ID + "/log", "/events/s/" + sb.ID + "?v=e2eaccess", "/p/" + pb, "/events/p/" + pb + "?v=e2eaccess"} {
		if code, body, _ := accDo(t, "GET", h.URL+p, mona, "", nil); code != http.StatusNotFound {
			t.Errorf("member GET %s: %d, want 404: %.200s", p, code, body)
		}
	}
	if code, _, _ := accDo(t, "POST", h.URL+"/api/v1/sessions/"+sb.ID+"/input", accCred{bearer: monaAPI}, `{"text":"y\r"}`, nil); code != http.StatusNotFound {
		t.Errorf("member input into boxb: %d, want 404", code)
	}
	if code, _, _ := accDo(t, "POST", h.URL+"/p/"+pb+"/decide", mona, accForm("decision", "allow"), browser); code != http.StatusNotFound {
		t.Errorf("member answering boxb's prompt: %d, want 404", code)
	}
	if code, _, _ := accDo(t, "GET", h.URL+"/events/s/"+sa.ID+"?v=e2eaccess", mona, "", nil); code != http.StatusOK {
		t.Errorf("member's stream of boxa: %d, want 200", code)
	}

	// The member drives boxa: answers its question from the page, then types.
	if code, body, _ := accDo(t, "POST", h.URL+"/p/"+pa+"/decide", mona, accForm("decision", "allow"), browser); code != http.StatusOK {
		t.Fatalf("member approving boxa's prompt: %d %.300s", code, body)
	}
	waitLogContains(t, h.URL, sa.ID, "answer=y")
	if code, body, _ := accDo(t, "POST", h.URL+"/api/v1/sessions/"+sa.ID+"/input", accCred{bearer: monaAPI}, `{"text":"member-was-here\r"}`, nil); code != http.StatusOK {
		t.Fatalf("member input: %d %s", code, body)
	}
	if code, body, _ := accDo(t, "POST", h.URL+"/s/"+sa.ID+"/input", mona, accForm("text", "member-form"), browser); code != http.StatusNoContent {
		t.Fatalf("member form input: %d %s", code, body)
	}
	waitLogContains(t, h.URL, sa.ID, "got:member-form")
	if log := Get(h.URL + "/api/v1/sessions/" + sa.ID + "/log"); strings.Contains(log, "viewer-was-here") || !strings.Contains(log, "got:member-was-here") {
		t.Errorf("boxa's log: %q; want the member's input and none of the viewer's", log)
	}
	if st := accPromptState(t, h.URL, pb); st != "pending" {
		t.Errorf("boxb's prompt is %s; nobody granted answered it", st)
	}
	// The audit log names who typed and who answered.
	_, audit, _ := accDo(t, "GET", h.URL+"/admin/audit", accCred{bearer: h.Token}, "", nil)
	for _, want := range []string{"mona", "input", "prompt.decide", sa.ID} {
		if !strings.Contains(audit, want) {
			t.Errorf("audit page lacks %q", want)
		}
	}
	for _, secret := range []string{"mona-password-123", "vera-password-123", monaAPI, veraAPI, mona.cookie, vera.cookie} {
		if strings.Contains(audit, secret) {
			t.Errorf("the audit page shows a secret (%.10s...)", secret)
		}
	}
}
