package notify

import (
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ct-dev/ct/db"
)

// A prompt published to ntfy carries the title, a Click link to the prompt
// and two http actions that POST its one-tap links, with the person's token.
func TestNtfyPublish(t *testing.T) {
	w := newWorld(t)
	got := make(chan *http.Request, 10)
	bodies := make(chan string, 10)
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got <- r
		bodies <- string(b)
	}))
	defer srv.Close()
	if _, err := w.store.UpdateNotifyPrefs("ann", func(p *db.NotifyPrefs) error {
		p.NtfyURL, p.NtfyToken, p.BaseURL = srv.URL+"/ann-topic", "tk_secret", "https://hub.example.net"
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	p := w.openPrompt(t, "0000000000001cccc", "box-a")
	var r *http.Request
	select {
	case r = <-got:
	case <-time.After(10 * time.Second):
		t.Fatal("the fake ntfy server received nothing")
	}
	if r.Method != "POST" || r.URL.Path != "/ann-topic" {
		t.Errorf("%s %s, want POST /ann-topic", r.Method, r.URL.Path)
	}
	if b := <-bodies; b != "rm -rf build/" {
		t.Errorf("body = %q", b)
	}
	for h, want := range map[string]string{
		"Title": "box-a asks: Bash", "Click": "https://hub.example.net/p/" + p.ID,
		"Authorization": "Bearer tk_secret", "Priority": "high",
	} {
		if r.Header.Get(h) != want {
			t.Errorf("%s = %q, want %q", h, r.Header.Get(h), want)
		}
	}
	re := regexp.MustCompile(`^http, (Approve|Deny), https://hub\.example\.net/a/(\S+), method=POST, clear=true$`)
	acts := strings.Split(r.Header.Get("Actions"), "; ")
	if len(acts) != 2 {
		t.Fatalf("Actions = %q, want two", r.Header.Get("Actions"))
	}
	for i, a := range acts {
		m := re.FindStringSubmatch(a)
		if m == nil {
			t.Fatalf("action %q is not an http POST action to a one-tap link", a)
		}
		l, err := w.n.Keys().Verify(m[2], time.Now())
		want := []string{"allow", "deny"}[i]
		if err != nil || l.Prompt != p.ID || l.Decision != want || l.User != "ann" {
			t.Errorf("action %s: link %+v, %v", m[1], l, err)
		}
	}
}
