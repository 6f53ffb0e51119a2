package e2e

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

// postForm posts a form with the test hub's admin token and returns the
// final status (after redirects) and body.
func postForm(t testing.TB, u string, form url.Values) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("POST", u, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if tok := tokenFor(u); tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// postLink POSTs to a one-tap link as ntfy does: no login, no body.
func postLink(t testing.TB, link string) (int, string) {
	t.Helper()
	resp, err := http.Post(link, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, strings.TrimSpace(string(b))
}

// fakeNtfy is an ntfy server on 127.0.0.1 that hands over each publish.
func fakeNtfy(t testing.TB) (*httptest.Server, chan http.Header) {
	got := make(chan http.Header, 20)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		got <- r.Header.Clone()
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"id":"x"}`))
	}))
	t.Cleanup(srv.Close)
	return srv, got
}

var ntfyActionRE = regexp.MustCompile(`http, (Approve|Deny), (\S+), method=POST, clear=true`)

// A prompt is published to the person's ntfy topic with Approve and Deny
// buttons. Approve works without a login, exactly once: the program gets
// its "y"; the same link again, and the Deny link after it, are refused
// with 410, and a link rewritten for another prompt with 403.
func TestNtfyOneTapApprove(t *testing.T) {
	// The fake ntfy is on this host: an admin's private ntfy.
	h := StartHub(t, t.TempDir(), "127.0.0.1:0", "--allow-private-notify")
	ntfy, published := fakeNtfy(t)
	code, body := postForm(t, h.URL+"/settings", url.Values{"prompts": {"1"}, "ntfy_url": {ntfy.URL + "/ct-admin"}, "ntfy_token": {"tk_test"}})
	if code != 200 || !strings.Contains(body, "Saved.") {
		t.Fatalf("save settings: %d %.300s", code, body)
	}
	script := `printf 'Delete all build files? [y/N] '; read a; echo "answer=$a"; sleep 30`
	StartWrap(t, nil, "--hub", h.URL, "--name", "ntfybox", "--", "bash", "-c", script)
	s := SessionFor(t, h.URL, "ntfybox")

	var hdr http.Header
	select {
	case hdr = <-published:
	case <-time.After(20 * time.Second):
		t.Fatalf("nothing was published to ntfy; hub log:\n%s", h.Stderr.String())
	}
	p := waitPending(t, h.URL)
	// "ntfybox #1 asks: ...": the machine, the session's number, the tool.
	if title := hdr.Get("Title"); !strings.HasPrefix(title, "ntfybox #") || !strings.Contains(title, " asks: ") {
		t.Errorf("Title = %q", hdr.Get("Title"))
	}
	if hdr.Get("Click") != h.URL+"/p/"+p.ID || hdr.Get("Authorization") != "Bearer tk_test" {
		t.Errorf("Click = %q, Authorization = %q", hdr.Get("Click"), hdr.Get("Authorization"))
	}
	links := map[string]string{}
	for _, m := range ntfyActionRE.FindAllStringSubmatch(hdr.Get("Actions"), -1) {
		links[m[1]] = m[2]
	}
	approve, deny := links["Approve"], links["Deny"]
	if !strings.HasPrefix(approve, h.URL+"/a/") || !strings.HasPrefix(deny, h.URL+"/a/") {
		t.Fatalf("Actions = %q, want Approve and Deny http actions to %s/a/...", hdr.Get("Actions"), h.URL)
	}

	// A link rewritten to name another prompt fails its signature.
	enc, sig, _ := strings.Cut(strings.TrimPrefix(deny, h.URL+"/a/"), ".")
	raw, _ := base64.RawURLEncoding.DecodeString(enc)
	var fields map[string]any
	_ = json.Unmarshal(raw, &fields)
	fields["p"] = "0000000000000deadbeef"
	raw, _ = json.Marshal(fields)
	if code, body := postLink(t, h.URL+"/a/"+base64.RawURLEncoding.EncodeToString(raw)+"."+sig); code != 403 {
		t.Errorf("link rewritten for another prompt = %d %q, want 403", code, body)
	}

	if code, body := postLink(t, approve); code != 200 || !strings.HasPrefix(body, "Approved") {
		t.Fatalf("approve link = %d %q, want 200 Approved", code, body)
	}
	WaitFor(t, 15*time.Second, "the program got y", func() bool {
		return strings.Contains(Get(h.URL+"/api/v1/sessions/"+s.ID+"/screen"), "answer=y")
	})
	got := waitPrompt(t, h.URL, p.ID, func(p apiPrompt) bool { return p.Decision != nil && *p.Decision == "allow" })
	if got.DecidedBy == nil || !strings.HasPrefix(*got.DecidedBy, "admin") {
		t.Errorf("decided by %v, want admin", got.DecidedBy)
	}
	if code, body := postLink(t, approve); code != 410 || !strings.Contains(body, "already used") {
		t.Errorf("approve link again = %d %q, want 410 already used", code, body)
	}
	if code, body := postLink(t, deny); code != 410 || !strings.Contains(body, "Already settled") {
		t.Errorf("deny link after approving = %d %q, want 410 already settled", code, body)
	}
	if code, _ := postLink(t, h.URL+"/a/not-a-token"); code != 403 {
		t.Errorf("junk token = %d, want 403", code)
	}
	if resp, err := http.Get(approve); err == nil {
		resp.Body.Close()
		if resp.StatusCode != 405 {
			t.Errorf("GET on a link = %d, want 405 (links act on POST only)", resp.StatusCode)
		}
	}
}
