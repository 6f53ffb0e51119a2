package views

import (
	"strings"
	"testing"
)

// The app bar marks the page's own tab and nothing else; a session page
// belongs to no tab (it used to light up "Lobby").
func TestAppBarCurrent(t *testing.T) {
	n := Nav{User: "admin", Admin: true}
	for kind, want := range map[string]string{"lobby": "/", "approvals": "/approvals", "prompt": "/approvals", "inbox": "/inbox", "session": "", "error": ""} {
		html := renderString(t, appBar(n, kind))
		got := ""
		for _, a := range strings.Split(html, "<a ")[1:] {
			if strings.Contains(a, `aria-current="page"`) {
				got += a[strings.Index(a, `href="`)+6 : strings.Index(a, `" `)]
			}
		}
		if got != want {
			t.Errorf("%s page: current tab %q, want %q", kind, got, want)
		}
	}
}
