package handlers

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// A person's notification settings: saved per person with the address they
// used, bad values refused with the reason; push subscriptions added,
// replaced per endpoint and removed; endpoints must be https (plain http
// to loopback too: it was a way to make the hub POST to itself) and carry
// keys.
func TestNotifySettings(t *testing.T) {
	f := newAuthFixture(t, fixtureOpts{})
	defer f.close()
	f.addUser("ann", "member", "box-a")
	ann := cred{name: "ann", cookie: f.cookie("ann", time.Hour)}
	hdr := map[string]string{"Sec-Fetch-Site": "same-origin"}

	res := f.do("POST", "/settings", form("prompts", "1", "quiet_from", "22:00", "quiet_to", "07:00", "tz", "Europe/Paris",
		"ntfy_url", "https://ntfy.example.net/ann-x", "ntfy_token", "tk_1"), ann, hdr)
	if res.status != http.StatusSeeOther {
		t.Fatalf("save = %d %.300s", res.status, res.body)
	}
	p, err := f.store.NotifyPrefs("ann")
	if err != nil {
		t.Fatal(err)
	}
	if !p.Prompts || p.Sessions || p.P0 || p.QuietFrom != "22:00" || p.TZ != "Europe/Paris" ||
		p.NtfyURL != "https://ntfy.example.net/ann-x" || p.NtfyToken != "tk_1" || !strings.HasPrefix(p.BaseURL, "http://127.0.0.1:") {
		t.Errorf("stored %+v", p)
	}
	// Saving again without a token keeps the saved one; the page never shows it.
	f.do("POST", "/settings", form("prompts", "1", "ntfy_url", "https://ntfy.example.net/ann-x"), ann, hdr)
	if p, _ := f.store.NotifyPrefs("ann"); p.NtfyToken != "tk_1" {
		t.Errorf("token after a save without one = %q, want kept", p.NtfyToken)
	}
	if page := f.do("GET", "/settings", "", ann, nil); page.status != 200 || strings.Contains(page.body, "tk_1") {
		t.Errorf("settings page = %d, shows the token: %v", page.status, strings.Contains(page.body, "tk_1"))
	}
	for _, bad := range []string{form("ntfy_url", "ftp://x/y"), form("ntfy_url", "not a url"), form("quiet_from", "25:99")} {
		if res := f.do("POST", "/settings", bad, ann, hdr); res.status != http.StatusBadRequest {
			t.Errorf("save %s = %d, want 400", bad, res.status)
		}
	}

	sub := func(endpoint, keys string) string {
		return `{"endpoint":"` + endpoint + `","keys":` + keys + `}`
	}
	good := `{"p256dh":"BPk","auth":"AAAA"}`
	if res := f.do("POST", "/settings/push", sub("https://push.example.net/1", good), ann, hdr); res.status != http.StatusNoContent {
		t.Fatalf("subscribe = %d %.300s", res.status, res.body)
	}
	f.do("POST", "/settings/push", sub("https://push.example.net/1", `{"p256dh":"BPk2","auth":"BBBB"}`), ann, hdr)
	f.do("POST", "/settings/push", sub("https://push.example.net/2", good), ann, hdr)
	if p, _ := f.store.NotifyPrefs("ann"); len(p.Subs) != 2 || p.Subs[0].P256dh != "BPk2" || p.Subs[1].Endpoint != "https://push.example.net/2" {
		t.Errorf("subscriptions = %+v, want the replaced one, then the second", p.Subs)
	}
	for _, bad := range []string{sub("http://push.example.net/3", good), sub("http://127.0.0.1:9/2", good), sub("https://push.example.net/4", `{}`), "nonsense"} {
		if res := f.do("POST", "/settings/push", bad, ann, hdr); res.status != http.StatusBadRequest {
			t.Errorf("subscribe %s = %d, want 400", bad, res.status)
		}
	}
	if res := f.do("POST", "/settings/push/delete", `{"endpoint":"https://push.example.net/1"}`, ann, hdr); res.status != http.StatusNoContent {
		t.Fatalf("unsubscribe = %d", res.status)
	}
	if p, _ := f.store.NotifyPrefs("ann"); len(p.Subs) != 1 {
		t.Errorf("after unsubscribing: %+v", p.Subs)
	}
	// Another person's settings are their own.
	if p, _ := f.store.NotifyPrefs("admin"); p.NtfyURL != "" || len(p.Subs) != 0 {
		t.Errorf("admin's settings changed: %+v", p)
	}
}
