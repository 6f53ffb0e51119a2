package handlers

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/ct-dev/ct/db"
	"github.com/ct-dev/ct/views"
)

// Limits on what a person may store for notifications.
const (
	maxPushSubs   = 20 // devices per person
	maxNotifyURL  = 1024
	maxNtfyToken  = 512
	maxPushKeyLen = 256
)

func (s *Server) handleSettingsShow(w http.ResponseWriter, r *http.Request) error {
	return s.renderSettings(w, r, r.URL.Query().Get("msg"), "")
}

func (s *Server) renderSettings(w http.ResponseWriter, r *http.Request, msg, errMsg string) error {
	p := principal(r)
	prefs, err := s.store.NotifyPrefs(p.User)
	if err != nil {
		return err
	}
	m := views.NotifySettings{User: p.User, Prompts: prefs.Prompts, Sessions: prefs.Sessions, P0: prefs.P0,
		QuietFrom: prefs.QuietFrom, QuietTo: prefs.QuietTo, TZ: prefs.TZ, NtfyURL: prefs.NtfyURL,
		HasToken: prefs.NtfyToken != "", Devices: len(prefs.Subs), Msg: msg, Err: errMsg}
	if s.notifier != nil {
		m.VAPIDKey = s.notifier.Keys().VAPIDPublic
	}
	return render(w, r, views.SettingsPage(m))
}

func (s *Server) handleSettingsSave(w http.ResponseWriter, r *http.Request) error {
	p := principal(r)
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		return errorf(http.StatusBadRequest, "The form is too large or malformed; reload the page and try again.")
	}
	f := r.PostForm
	ntfyURL := strings.TrimSpace(f.Get("ntfy_url"))
	if ntfyURL != "" {
		if err := checkNotifyURL(ntfyURL, false); err != "" {
			w.WriteHeader(http.StatusBadRequest)
			return s.renderSettings(w, r, "", "ntfy topic URL: "+err)
		}
	}
	from, to := f.Get("quiet_from"), f.Get("quiet_to")
	for _, v := range []string{from, to} {
		if _, err := time.Parse("15:04", v); v != "" && err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return s.renderSettings(w, r, "", "Quiet hours take times like 22:00.")
		}
	}
	tz := f.Get("tz")
	if _, err := time.LoadLocation(tz); err != nil || len(tz) > 64 {
		tz = "" // unknown zone: quiet hours in UTC
	}
	token := f.Get("ntfy_token")
	if len(token) > maxNtfyToken {
		w.WriteHeader(http.StatusBadRequest)
		return s.renderSettings(w, r, "", "The ntfy token is too long.")
	}
	base := s.baseURL(r)
	_, err := s.store.UpdateNotifyPrefs(p.User, func(n *db.NotifyPrefs) error {
		n.Prompts, n.Sessions, n.P0 = f.Get("prompts") != "", f.Get("sessions") != "", f.Get("p0") != ""
		n.QuietFrom, n.QuietTo, n.TZ = from, to, tz
		n.NtfyURL, n.BaseURL, n.Configured = ntfyURL, base, true
		switch {
		case token != "":
			n.NtfyToken = token
		case f.Get("ntfy_token_clear") != "" || ntfyURL == "":
			n.NtfyToken = ""
		}
		return nil
	})
	if err != nil {
		return err
	}
	s.audit(r, "notify.settings", p.User)
	http.Redirect(w, r, "/settings?msg=Saved.", http.StatusSeeOther)
	return nil
}

// baseURL is the hub's address as this request reached it: links in
// notifications must open the same way.
func (s *Server) baseURL(r *http.Request) string {
	scheme := "http"
	if isSecure(r) {
		scheme = "https"
	}
	return scheme + "://" + r.Host // proxies (tailscale serve, Caddy) pass Host through
}

// checkNotifyURL says what is wrong with a URL the hub will POST to, or "".
// With httpsOnly (push endpoints: every real push service is https) plain
// http is refused. Which addresses may be reached is decided when the
// notifier dials (notify.DialPolicy), after DNS, not here.
func checkNotifyURL(raw string, httpsOnly bool) string {
	if len(raw) > maxNotifyURL {
		return "too long"
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return "use a full address like https://ntfy.sh/your-topic"
	}
	if u.Scheme == "http" && httpsOnly {
		return "push endpoints must use https"
	}
	return ""
}

// pushSubscription is what PushManager.subscribe() gives, as JSON.
type pushSubscription struct {
	Endpoint string `json:"endpoint"`
	Keys     struct {
		P256dh string `json:"p256dh"`
		Auth   string `json:"auth"`
	} `json:"keys"`
}

func (s *Server) handlePushSubscribe(w http.ResponseWriter, r *http.Request) error {
	p := principal(r)
	var sub pushSubscription
	r.Body = http.MaxBytesReader(w, r.Body, 8<<10)
	if err := json.NewDecoder(r.Body).Decode(&sub); err != nil {
		return errorf(http.StatusBadRequest, "Send the browser's push subscription as JSON.")
	}
	if msg := checkNotifyURL(sub.Endpoint, true); msg != "" {
		return errorf(http.StatusBadRequest, "Push endpoint: "+msg+".")
	}
	if sub.Keys.P256dh == "" || sub.Keys.Auth == "" || len(sub.Keys.P256dh) > maxPushKeyLen || len(sub.Keys.Auth) > maxPushKeyLen {
		return errorf(http.StatusBadRequest, "The subscription has no usable keys; try turning notifications off and on.")
	}
	base := s.baseURL(r)
	_, err := s.store.UpdateNotifyPrefs(p.User, func(n *db.NotifyPrefs) error {
		n.Subs = removeSubscription(n.Subs, sub.Endpoint)
		if len(n.Subs) >= maxPushSubs {
			n.Subs = n.Subs[1:] // the oldest device makes room
		}
		n.Subs = append(n.Subs, db.PushSub{Endpoint: sub.Endpoint, P256dh: sub.Keys.P256dh, Auth: sub.Keys.Auth,
			Device: userAgentOf(r), CreatedAt: time.Now().UTC()})
		n.BaseURL = base
		return nil
	})
	if err != nil {
		return err
	}
	s.audit(r, "notify.subscribe", p.User)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) handlePushUnsubscribe(w http.ResponseWriter, r *http.Request) error {
	p := principal(r)
	var sub pushSubscription
	r.Body = http.MaxBytesReader(w, r.Body, 8<<10)
	if err := json.NewDecoder(r.Body).Decode(&sub); err != nil || sub.Endpoint == "" {
		return errorf(http.StatusBadRequest, `Send {"endpoint": "..."} as JSON.`)
	}
	_, err := s.store.UpdateNotifyPrefs(p.User, func(n *db.NotifyPrefs) error {
		n.Subs = removeSubscription(n.Subs, sub.Endpoint)
		return nil
	})
	if err != nil {
		return err
	}
	s.audit(r, "notify.unsubscribe", p.User)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func removeSubscription(subs []db.PushSub, endpoint string) []db.PushSub {
	out := subs[:0:0]
	for _, x := range subs {
		if x.Endpoint != endpoint {
			out = append(out, x)
		}
	}
	return out
}

func userAgentOf(r *http.Request) string {
	ua := r.UserAgent()
	if len(ua) > 200 {
		ua = ua[:200]
	}
	return ua
}
