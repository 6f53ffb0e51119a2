package e2e

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"
)

var pairCodeRE = regexp.MustCompile(`data-testid="pair-code">([A-Z2-9]{4}-[A-Z2-9]{4})<`)

// pairCode logs in as admin with the login form and opens Add a
// workstation, as a person's browser would, and returns the code shown.
func pairCode(t *testing.T, hubURL string) string {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 10 * time.Second}
	resp, err := c.PostForm(hubURL+"/login", url.Values{"user": {"admin"}, "password": {AdminPassword}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	resp, err = c.PostForm(hubURL+"/pair", url.Values{})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	m := pairCodeRE.FindSubmatch(body)
	if resp.StatusCode != http.StatusOK || m == nil {
		t.Fatalf("POST /pair = %d, no code in %.500s", resp.StatusCode, body)
	}
	return string(m[1])
}

// A new workstation joins without a password: the hub's page shows a code,
// the workstation downloads ct from the hub with it (the very binary the
// hub runs), ct login --code trades it for a machine token saved in the
// credentials file, that token streams a session, and the code is then
// used up.
func TestPairByCodeEndToEnd(t *testing.T) {
	h := StartHub(t, t.TempDir(), "127.0.0.1:0")
	code := pairCode(t, h.URL)

	resp, err := http.Get(h.URL + "/download/" + runtime.GOOS + "/" + runtime.GOARCH + "?code=" + code)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	want, err := os.ReadFile(Binary(t))
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || !bytes.Equal(got, want) {
		t.Fatalf("download = %d, %d bytes; want the hub's own %d bytes", resp.StatusCode, len(got), len(want))
	}

	cfg := t.TempDir()
	login := func(code string) (string, error) {
		cmd := exec.Command(Binary(t), "login", "--hub", h.URL, "--code", strings.ToLower(code), "--name", "paired-box")
		cmd.Env = append(os.Environ(), "XDG_CONFIG_HOME="+cfg, "CT_TOKEN=", "CT_USER=", "CT_PASSWORD=")
		cmd.Stdin = strings.NewReader("") // a password prompt would read EOF and fail
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	out, err := login(code)
	if err != nil || !strings.Contains(out, `machine "paired-box" for admin`) {
		t.Fatalf("ct login --code: %v\n%s", err, out)
	}
	var saved struct {
		Hubs map[string]struct{ Token, Machine, User string }
	}
	b, err := os.ReadFile(filepath.Join(cfg, "ct", "credentials.json"))
	if err != nil || json.Unmarshal(b, &saved) != nil {
		t.Fatalf("credentials: %v %s", err, b)
	}
	s := saved.Hubs[h.URL]
	if s.Machine != "paired-box" || s.User != "admin" || s.Token == "" {
		t.Fatalf("saved %+v", saved)
	}

	w := StartWrap(t, []string{"CT_TOKEN=" + s.Token}, "--hub", h.URL, "--name", "paired-box", "--", "bash", "-c", "echo paired-and-streaming")
	if code := w.Wait(t, 15*time.Second); code != 0 {
		t.Fatalf("wrap with the paired token: exit %d: %s", code, w.Stderr.String())
	}
	sess := SessionFor(t, h.URL, "paired-box")
	waitLogContains(t, h.URL, sess.ID, "paired-and-streaming")

	if out, err := login(code); err == nil || !strings.Contains(out, "unknown, used or expired") {
		t.Fatalf("second ct login with the same code: %v\n%s", err, out)
	}
}
