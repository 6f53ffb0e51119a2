package e2e

import (
	"bufio"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
)

// openEvents opens peer p's GET /api/v1/events stream and returns its
// lines once the hub says it is subscribed ("ready").
func openEvents(t *testing.T, p *coordPeer) <-chan string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, *p.hubURL+"/api/v1/events", nil)
	req.Header.Set("Authorization", "Bearer "+p.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("events: %v %v", err, resp)
	}
	t.Cleanup(func() { resp.Body.Close() })
	lines := make(chan string, 64)
	// Reads the stream until the test closes it; the channel ends with it.
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	for l := range lines {
		if l == "event: ready" {
			return lines
		}
	}
	t.Fatal("the event stream ended before ready")
	return nil
}

// nextStateEvent returns the next "state" event's data on lines.
func nextStateEvent(t *testing.T, lines <-chan string) map[string]any {
	t.Helper()
	timeout := time.After(20 * time.Second)
	inState := false
	for {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatal("the event stream ended")
			}
			if l == "event: state" {
				inState = true
			} else if d, ok := strings.CutPrefix(l, "data: "); ok && inState {
				var e struct {
					State map[string]any `json:"state"`
				}
				if err := json.Unmarshal([]byte(d), &e); err != nil {
					t.Fatal(err)
				}
				return e.State
			}
		case <-timeout:
			t.Fatal("no state event within 20 s")
		}
	}
}

// State keys round-trip through the CLI, REST and MCP, keep their
// history, and every change is pushed: to an SSE stream and to an MCP
// agent waiting in state_watch.
func TestStateKeysRoundTripAndPush(t *testing.T) {
	h := StartHub(t, t.TempDir(), "127.0.0.1:0")
	alice, bob, carol := newCoordPeer(t, h, "alice"), newCoordPeer(t, h, "bob"), newCoordPeer(t, h, "carol")
	lines := openEvents(t, bob)
	agent := startMCPAgent(t, carol, "cccccccc-3333")

	// carol's agent waits for the first value; alice sets it with the CLI.
	watched := make(chan string, 1)
	go func() {
		out, _ := agent.call("state_watch", map[string]any{"key": "build/status", "wait_seconds": 60})
		watched <- out
	}()
	if out := alice.must(t, "state", "set", "build/status", "green"); !strings.Contains(out, "version 1") {
		t.Fatalf("set: %s", out)
	}
	if e := nextStateEvent(t, lines); e["key"] != "build/status" || e["value"] != "green" || e["by"] != "alice" {
		t.Fatalf("pushed %v", e)
	}
	select {
	case out := <-watched:
		if !strings.Contains(out, `"value": "green"`) {
			t.Fatalf("state_watch: %s", out)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("state_watch did not return on the change")
	}

	// bob sets it over REST; the agent reads it with its history over MCP.
	var v struct {
		Version int
		Value   string
	}
	if code := bob.api(t, http.MethodPut, "/api/v1/state/build/status", map[string]string{"value": "red: e2e failed"}, &v); code != 200 || v.Version != 2 {
		t.Fatalf("PUT: %d %+v", code, v)
	}
	if e := nextStateEvent(t, lines); e["value"] != "red: e2e failed" || e["by"] != "bob" {
		t.Fatalf("pushed %v", e)
	}
	out := agent.must("state_get", map[string]any{"key": "build/status", "history": true})
	if !strings.Contains(out, `"value": "red: e2e failed"`) || !strings.Contains(out, `"history"`) || !strings.Contains(out, `"value": "green"`) {
		t.Fatalf("state_get: %s", out)
	}
	agent.must("state_set", map[string]any{"key": "build/status", "value": "green again"})
	if out := alice.must(t, "state", "get", "build/status", "--history"); !strings.HasPrefix(out, "v3\t") || !strings.Contains(out, "v1\talice") {
		t.Fatalf("get --history:\n%s", out)
	}
	if code := bob.api(t, http.MethodPut, "/api/v1/state/big", map[string]string{"value": strings.Repeat("x", 5000)}, nil); code != http.StatusRequestEntityTooLarge {
		t.Fatalf("a 5000-byte value: %d, want 413", code)
	}
}
