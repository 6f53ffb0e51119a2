package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// addUser creates a member granted every machine and returns an API token of theirs.
func addUser(t *testing.T, h *Hub, name string) string {
	t.Helper()
	addPerson(t, h, name, "member", "*")
	return MintToken(t, h.URL, name, name+"-password-123", map[string]string{"name": name + "-api", "kind": "api"})
}

// as sends a request with token and returns the status and body.
func as(t *testing.T, token, method, u, contentType, body string) (int, string) {
	t.Helper()
	return asWith(t, token, method, u, contentType, body, nil)
}

// asWith is as with extra request headers (such as X-CT-Peer).
func asWith(t *testing.T, token, method, u, contentType, body string, hdr map[string]string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(method, u, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

type sessionDetail struct {
	State   string `json:"state"`
	Viewers []struct{ User, Device string }
	Wheel   struct {
		Holder, Requester string
	}
}

func detail(t *testing.T, h *Hub, id string) sessionDetail {
	var d sessionDetail
	_ = json.Unmarshal([]byte(Get(h.URL+"/api/v1/sessions/"+id)), &d)
	return d
}

func TestWheelAndPresence(t *testing.T) {
	h := StartHub(t, t.TempDir(), "127.0.0.1:0")
	ana, bob := addUser(t, h, "ana"), addUser(t, h, "bob")
	StartWrap(t, nil, "--hub", h.URL, "--name", "wheelbox", "--", "bash", "-c", `while read l; do echo "got:$l"; done`)
	s := SessionFor(t, h.URL, "wheelbox")
	input := h.URL + "/api/v1/sessions/" + s.ID + "/input"
	wheel := h.URL + "/s/" + s.ID + "/wheel"
	form := "application/x-www-form-urlencoded"

	// Bob watches: presence shows him while his stream is open.
	ctx, stopWatching := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", h.URL+"/events/s/"+s.ID+"?v=bobpage1", nil)
	req.Header.Set("Authorization", "Bearer "+bob)
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("bob's stream: %v %v", err, resp)
	}
	go func() { _, _ = io.Copy(io.Discard, bufio.NewReader(resp.Body)) }()
	WaitFor(t, 10*time.Second, "bob in the viewers", func() bool {
		for _, v := range detail(t, h, s.ID).Viewers {
			if v.User == "bob" {
				return true
			}
		}
		return false
	})

	// Ana types first: the free wheel is hers; Bob's input is refused by the hub.
	if code, body := as(t, ana, "POST", input, "application/json", `{"text":"from-ana\r"}`); code != 200 {
		t.Fatalf("ana's input: %d %s", code, body)
	}
	if code, body := as(t, bob, "POST", input, "application/json", `{"text":"from-bob\r"}`); code != 409 || !strings.Contains(body, "ana is driving") {
		t.Fatalf("bob's input without the wheel: %d %s, want 409 naming ana", code, body)
	}
	// Bob asks, Ana hands over, Bob types, Ana is refused.
	if code, body := as(t, bob, "POST", wheel, form, "action=request"); code != 204 {
		t.Fatalf("request: %d %s", code, body)
	}
	if d := detail(t, h, s.ID); d.Wheel.Holder != "ana" || d.Wheel.Requester != "bob" {
		t.Fatalf("after request: %+v", d.Wheel)
	}
	if code, body := as(t, ana, "POST", wheel, form, "action=give"); code != 204 {
		t.Fatalf("give: %d %s", code, body)
	}
	if code, body := as(t, bob, "POST", input, "application/json", `{"text":"bob-now\r"}`); code != 200 {
		t.Fatalf("bob's input with the wheel: %d %s", code, body)
	}
	if code, _ := as(t, ana, "POST", input, "application/json", `{"text":"ana-again\r"}`); code != 409 {
		t.Fatalf("ana's input after handing over: %d, want 409", code)
	}
	WaitFor(t, 10*time.Second, "both lines on screen", func() bool {
		scr := Get(h.URL + "/api/v1/sessions/" + s.ID + "/screen")
		return strings.Contains(scr, "got:from-ana") && strings.Contains(scr, "got:bob-now") && !strings.Contains(scr, "got:from-bob")
	})

	// Bob's tab closes: once he has been gone and idle for the grace period the wheel frees.
	stopWatching()
	WaitFor(t, 30*time.Second, "the wheel to free after bob left", func() bool {
		d := detail(t, h, s.ID)
		return d.Wheel.Holder == "" && len(d.Viewers) == 0
	})
	if code, body := as(t, ana, "POST", input, "application/json", `{"text":"ana-back\r"}`); code != 200 {
		t.Fatalf("ana takes the freed wheel by typing: %d %s", code, body)
	}
	// Wheel changes are audited.
	var entries int
	for _, line := range strings.Split(Get(h.URL+"/admin/audit"), "\n") {
		if strings.Contains(line, "wheel.") {
			entries++
		}
	}
	if entries == 0 {
		t.Error("no wheel entries on the audit page")
	}
}
