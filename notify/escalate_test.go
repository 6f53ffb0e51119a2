package notify

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/ct-dev/ct/db"
)

// An escalation reaches the members of the rule's group who may answer for
// the machine (ann), with one-tap actions; a member who may only watch
// (vic) or drives another machine (bob) is not told.
func TestOverdueToGroup(t *testing.T) {
	w := newWorld(t)
	paths := make(chan string, 10)
	titles := make(chan string, 10)
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		_, _ = io.ReadAll(r.Body)
		paths <- r.URL.Path
		titles <- r.Header.Get("Title")
	}))
	defer srv.Close()
	for _, u := range []string{"ann", "bob", "vic"} {
		if _, err := w.store.UpdateNotifyPrefs(u, func(p *db.NotifyPrefs) error {
			p.NtfyURL, p.BaseURL = srv.URL+"/"+u, "https://hub.example.net"
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	n, err := New(Deps{Store: w.store, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Dial: DialPolicy{AllowLoopback: true},
		GroupMembers: func(g string) []string {
			if g == "oncall" {
				return []string{"ann", "bob", "vic", "nobody"}
			}
			return nil
		}})
	if err != nil {
		t.Fatal(err)
	}
	p := db.Prompt{ID: "0000000000001dddd", WrapID: "w1", SessionID: "sess-1", Node: "box-a", Kind: "hook", Tool: "Bash",
		Input: []byte(`{"command":"make deploy"}`), State: db.PromptPending, CreatedAt: time.Now().UTC()}
	if err := w.store.PutPrompt(p); err != nil {
		t.Fatal(err)
	}
	n.Overdue(p, "oncall")
	select {
	case got := <-paths:
		if got != "/ann" {
			t.Fatalf("escalation sent to %s, want /ann", got)
		}
		if title := <-titles; title != "Overdue: box-a asks: Bash" {
			t.Errorf("title %q", title)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the group's member was not told")
	}
	n.Close() // waits for every delivery under way
	if len(paths) != 0 {
		t.Errorf("also told %s", <-paths)
	}
}
