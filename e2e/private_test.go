package e2e

import (
	"bufio"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
)

// privateHub has two people, alice and bob (members), each with an agent:
// a fake Claude Code wrapped on the person's own machine token, and a real
// ct mcp using that session's agent credential.
type privateHub struct {
	h                    *Hub
	aliceAPI, bobAPI     string // each person's API token
	aliceAgent, bobAgent *mcpAgent
}

func startPrivateHub(t *testing.T) *privateHub {
	t.Helper()
	h := StartHub(t, t.TempDir(), "127.0.0.1:0")
	p := &privateHub{h: h, aliceAPI: addUser(t, h, "alice"), bobAPI: addUser(t, h, "bob")}
	for _, who := range []string{"alice", "bob"} {
		machine := who + "box"
		tok := MintToken(t, h.URL, who, who+"-password-123", map[string]string{"name": machine, "kind": "machine", "machine": machine})
		a := startAgentMCPOn(t, h, machine, who+"/agent", []string{"CT_TOKEN=" + tok})
		if who == "alice" {
			p.aliceAgent = a
		} else {
			p.bobAgent = a
		}
	}
	return p
}

// sseCollector reads GET /api/v1/events as token into a buffer, from
// "ready" on (everything sent after it returns reaches it).
func sseCollector(t *testing.T, hubURL, token string) *SafeBuffer {
	t.Helper()
	req, _ := http.NewRequest("GET", hubURL+"/api/v1/events", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("events stream: %v %v", err, resp)
	}
	t.Cleanup(func() { resp.Body.Close() })
	buf, ready := &SafeBuffer{}, make(chan struct{})
	// The stream is read until the test ends and closes it.
	go func() {
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		once := false
		for sc.Scan() {
			_, _ = buf.Write(append(sc.Bytes(), '\n'))
			if !once && sc.Text() == "event: ready" {
				once = true
				close(ready)
			}
		}
	}()
	select {
	case <-ready:
	case <-time.After(10 * time.Second):
		t.Fatal("the events stream never said ready")
	}
	return buf
}

// A person's private space is seen by them and their own agents only. Her
// agent (real ct mcp, its session's credential) writes a private note and
// a private todo, she adds more from the CLI; bob, bob's agent and the
// hub's admin do not see them in any listing, search, read, the events
// stream or wait_for_events, and cannot write into her space; her agent
// and she see all of it. The audit log keeps the record without the words.
func TestPrivateSpaceDoesNotLeak(t *testing.T) {
	p := startPrivateHub(t)
	h := p.h
	bobStream, adminStream := sseCollector(t, h.URL, p.bobAPI), sseCollector(t, h.URL, h.Token)
	aliceStream := sseCollector(t, h.URL, p.aliceAPI)

	if out := p.aliceAgent.must("send_message", map[string]any{"private": true, "subject": "PRIV-SUBJ", "body": "PRIV-BODY the safe code"}); !strings.Contains(out, "to private:alice") {
		t.Fatalf("send_message private = %q", out)
	}
	if out := p.aliceAgent.must("add_todo", map[string]any{"title": "PRIV-TODO renew passport", "private": true}); !strings.HasPrefix(out, "added todo") {
		t.Fatalf("add_todo private = %q", out)
	}
	alice := &coordPeer{name: "alice", token: p.aliceAPI, home: t.TempDir(), hubURL: &h.URL}
	if out := alice.must(t, "msg", "send", "--private", "--subject", "PRIV-CLI", "--body", "from the terminal"); !strings.Contains(out, "to private:alice") {
		t.Fatalf("ct msg send --private = %q", out)
	}
	alice.must(t, "todo", "add", "--private", "PRIV-CLI-TODO")
	// Shared markers after the private ones: whoever has the markers had
	// every event before them.
	alice.must(t, "msg", "send", "--to", "*", "--body", "SHARED-MARKER")
	alice.must(t, "todo", "add", "SHARED-TODO")

	// bob, bob's agent and the admin.
	for name, s := range map[string]*SafeBuffer{"bob": bobStream, "admin": adminStream} {
		WaitFor(t, 10*time.Second, name+"'s stream gets the shared todo", func() bool { return strings.Contains(s.String(), "SHARED-TODO") })
		if strings.Contains(s.String(), "PRIV") {
			t.Fatalf("%s's /api/v1/events stream leaked a private item:\n%s", name, s.String())
		}
	}
	if out := p.bobAgent.must("wait_for_events", map[string]any{"since": 0, "timeout_s": 1}); !strings.Contains(out, "SHARED-TODO") || strings.Contains(out, "PRIV") {
		t.Fatalf("bob's agent's wait_for_events = %s", out)
	}
	for tool, args := range map[string]map[string]any{
		"list_messages":  {"box": "private"},
		"check_messages": {"all": true, "query": "PRIV"},
		"list_todos":     {},
	} {
		if out := p.bobAgent.must(tool, args); strings.Contains(out, "PRIV") {
			t.Fatalf("bob's agent's %s = %s", tool, out)
		}
	}
	if out, isErr := p.bobAgent.call("send_message", map[string]any{"to": "private:alice", "body": "let me in"}); !isErr || !strings.Contains(out, "their owner's only") {
		t.Fatalf("bob's agent writes into alice's space = %v %q", isErr, out)
	}
	var list []coordMsg
	for who, tok := range map[string]string{"bob": p.bobAPI, "admin": h.Token} {
		for _, q := range []string{"box=all&q=PRIV", "box=hub&q=PRIV", "box=hub", "box=private"} {
			code, body := as(t, tok, "GET", h.URL+"/api/v1/messages?"+q, "", "")
			if code != http.StatusOK || strings.Contains(body, "PRIV") {
				t.Fatalf("%s GET /api/v1/messages?%s = %d %s", who, q, code, body)
			}
		}
		if code, body := as(t, tok, "GET", h.URL+"/api/v1/messages/1", "", ""); code != http.StatusNotFound {
			t.Fatalf("%s reads alice's private message 1: %d %s", who, code, body)
		}
		if code, body := as(t, tok, "GET", h.URL+"/api/v1/todos", "", ""); code != http.StatusOK || strings.Contains(body, "PRIV") || !strings.Contains(body, "SHARED-TODO") {
			t.Fatalf("%s GET /api/v1/todos = %d %s", who, code, body)
		}
		if code, body := as(t, tok, "PATCH", h.URL+"/api/v1/todos/1", "application/json", `{"state":"done"}`); code != http.StatusNotFound {
			t.Fatalf("%s finishes alice's private todo: %d %s", who, code, body)
		}
		if code, body := as(t, tok, "GET", h.URL+"/inbox?box=all&q=safe", "", ""); code != http.StatusOK || strings.Contains(body, "PRIV") {
			t.Fatalf("%s's inbox page = %d, leaks: %v", who, code, strings.Contains(body, "PRIV"))
		}
	}
	if code, body := as(t, h.Token, "GET", h.URL+"/admin/audit", "", ""); code != http.StatusOK || strings.Contains(body, "PRIV") || !strings.Contains(body, "private:alice") {
		t.Fatalf("the audit log = %d; want the record (private:alice) without the words: has PRIV %v", code, strings.Contains(body, "PRIV"))
	}

	// alice's own agent and alice.
	out := p.aliceAgent.must("list_messages", map[string]any{"box": "private"})
	if err := json.Unmarshal([]byte(out), &list); err != nil || len(list) != 2 || !strings.Contains(out, "PRIV-BODY") || !strings.Contains(out, "PRIV-CLI") {
		t.Fatalf("alice's agent's private space = %v %s", err, out)
	}
	if out := p.aliceAgent.must("list_todos", map[string]any{"scope": "private"}); !strings.Contains(out, "PRIV-TODO") || !strings.Contains(out, "PRIV-CLI-TODO") || strings.Contains(out, "SHARED-TODO") {
		t.Fatalf("alice's agent's private todos = %s", out)
	}
	if out := p.aliceAgent.must("wait_for_events", map[string]any{"since": 0, "timeout_s": 1}); !strings.Contains(out, "PRIV-CLI") || !strings.Contains(out, "PRIV-TODO") {
		t.Fatalf("alice's agent's wait_for_events lacks her private events: %s", out)
	}
	WaitFor(t, 10*time.Second, "alice's stream has her private events", func() bool {
		s := aliceStream.String()
		return strings.Contains(s, "PRIV-BODY") && strings.Contains(s, "PRIV-CLI-TODO")
	})
	if got := alice.must(t, "msg", "ls", "--private"); !strings.Contains(got, "PRIV-SUBJ") || !strings.Contains(got, "PRIV-CLI") || strings.Contains(got, "SHARED-MARKER") {
		t.Fatalf("ct msg ls --private = %q", got)
	}
	if got := alice.must(t, "todo", "ls"); !strings.Contains(got, "(private) PRIV-TODO") || !strings.Contains(got, "SHARED-TODO") {
		t.Fatalf("ct todo ls = %q", got)
	}
	if got := alice.must(t, "todo", "ls", "--shared"); strings.Contains(got, "PRIV") {
		t.Fatalf("ct todo ls --shared = %q", got)
	}
	if got := alice.must(t, "msg", "ls", "--all", "--q", "safe code"); !strings.Contains(got, "PRIV-SUBJ") {
		t.Fatalf("alice's search misses her private note: %q", got)
	}
}
