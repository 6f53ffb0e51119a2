package handlers

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// Issue 15 item 12: an unknown address and an admin-only page opened by a
// member are the site's styled error page (stylesheet, a way back), not
// plain text.
func TestErrorPagesAreStyled(t *testing.T) {
	f := newAuthFixture(t, fixtureOpts{})
	defer f.close()
	f.addUser("mia", "member")
	browser := map[string]string{"Accept": "text/html,application/xhtml+xml"}
	for _, c := range []struct {
		path   string
		cred   cred
		status int
		says   string
	}{
		{"/no/such/page", cred{cookie: f.cookie("mia", time.Hour)}, http.StatusNotFound, "no page at this address"},
		{"/no/such/page", cred{}, http.StatusNotFound, "no page at this address"},
		{"/admin/users", cred{cookie: f.cookie("mia", time.Hour)}, http.StatusForbidden, "Only an admin"},
	} {
		res := f.do("GET", c.path, "", c.cred, browser)
		if res.status != c.status || !strings.Contains(res.body, `class="card error"`) || !strings.Contains(res.body, "/static/app.css") || !strings.Contains(res.body, c.says) {
			t.Errorf("GET %s: %d %q; want %d, the styled error page saying %q", c.path, res.status, res.body[:min(len(res.body), 300)], c.status, c.says)
		}
	}
	if res := f.do("GET", "/api/v1/nope", "", cred{cookie: f.cookie("mia", time.Hour)}, nil); res.status != http.StatusNotFound || !strings.HasPrefix(res.body, "{") {
		t.Errorf("the API keeps JSON errors: %d %s", res.status, res.body)
	}
}
