package e2e

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// Disabling a person ends their open page streams at once; reconnecting is refused.
func TestDisabledUserLosesOpenStreams(t *testing.T) {
	h := StartHub(t, t.TempDir(), "127.0.0.1:0")
	ana := addUser(t, h, "ana")
	StartWrap(t, nil, "--hub", h.URL, "--name", "cutbox", "--", "bash", "-c", "while read l; do :; done")
	s := SessionFor(t, h.URL, "cutbox")
	req, _ := http.NewRequest("GET", h.URL+"/events/s/"+s.ID+"?v=anapage", nil)
	req.Header.Set("Authorization", "Bearer "+ana)
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("ana's stream: %v %v", err, resp)
	}
	ended := make(chan struct{})
	go func() { _, _ = io.Copy(io.Discard, resp.Body); close(ended) }()

	form := url.Values{"role": {"member"}, "grants": {"*"}, "disabled": {"1"}}
	up, _ := http.NewRequest("POST", h.URL+"/admin/users/ana", strings.NewReader(form.Encode()))
	up.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	up.Header.Set("Authorization", "Bearer "+h.Token)
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	r2, err := client.Do(up)
	if err != nil || r2.StatusCode != http.StatusSeeOther {
		t.Fatalf("disable ana: %v %v", err, r2)
	}
	select {
	case <-ended:
	case <-time.After(10 * time.Second):
		t.Fatal("ana's open stream kept running after she was disabled")
	}
	if code, _ := as(t, ana, "GET", h.URL+"/api/v1/sessions", "", ""); code != http.StatusUnauthorized {
		t.Fatalf("disabled ana's token: %d, want 401", code)
	}
}
