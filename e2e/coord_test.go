package e2e

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// coordPeer runs ct's coordination commands as one peer: its own API token
// and its own config dir (so its outbox is its own).
type coordPeer struct {
	name, token, home string
	hubURL            *string // follows the hub across restarts
}

func newCoordPeer(t *testing.T, h *Hub, name string) *coordPeer {
	t.Helper()
	tok := MintToken(t, h.URL, "admin", AdminPassword, map[string]string{"name": name, "kind": "api"})
	return &coordPeer{name: name, token: tok, home: t.TempDir(), hubURL: &h.URL}
}

// ct runs `ct args...` as the peer and returns its output and error.
func (p *coordPeer) ct(t *testing.T, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(Binary(t), args...)
	cmd.Env = append(os.Environ(), "CT_HUB="+*p.hubURL, "CT_TOKEN="+p.token, "XDG_CONFIG_HOME="+p.home, "CT_PEER=")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

func (p *coordPeer) must(t *testing.T, args ...string) string {
	t.Helper()
	out, err := p.ct(t, args...)
	if err != nil {
		t.Fatalf("%s: ct %s: %v\n%s", p.name, strings.Join(args, " "), err, out)
	}
	return out
}

func (p *coordPeer) api(t *testing.T, method, path string, body any, out any) int {
	t.Helper()
	var rd *bytes.Reader
	b, _ := json.Marshal(body)
	rd = bytes.NewReader(b)
	req, _ := http.NewRequest(method, *p.hubURL+path, rd)
	req.Header.Set("Authorization", "Bearer "+p.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if out != nil {
		_ = json.NewDecoder(resp.Body).Decode(out)
	}
	return resp.StatusCode
}

type coordMsg struct {
	ID, From, To, Subject, Body, Re, Type string
}

// Two peers exchange a question and its answer through the CLI; a third
// peer's lock blocks the second until released, and again until expired.
func TestCoordQuestionAnswerAndLocks(t *testing.T) {
	h := StartHub(t, t.TempDir(), "127.0.0.1:0")
	alice, bob, carol := newCoordPeer(t, h, "alice"), newCoordPeer(t, h, "bob"), newCoordPeer(t, h, "carol")
	bob.must(t, "msg", "ls") // bob joins (a peer exists once it has called the hub)
	carol.must(t, "locks")

	out := alice.must(t, "msg", "send", "--to", "bob", "--type", "question", "--subject", "which schema?", "--body", "v1 or v2?", "--requires-response")
	if !strings.HasPrefix(out, "sent ") {
		t.Fatalf("send: %q", out)
	}
	qid := strings.Fields(out)[1]
	inbox := bob.must(t, "msg", "ls", "--unread", "--wait", "10s")
	if !strings.Contains(inbox, "which schema?") || !strings.Contains(inbox, "alice -> bob") {
		t.Fatalf("bob's inbox: %q", inbox)
	}
	if read := bob.must(t, "msg", "read", qid); !strings.Contains(read, "v1 or v2?") {
		t.Fatalf("read: %q", read)
	}
	bob.must(t, "msg", "ack", qid)
	bob.must(t, "msg", "send", "--to", "alice", "--re", qid, "--body", "v2, since Monday")
	answer := alice.must(t, "msg", "ls", "--re", qid, "--wait", "10s")
	if !strings.Contains(answer, "bob -> alice") || !strings.Contains(answer, "re:"+qid) {
		t.Fatalf("alice's thread: %q", answer)
	}
	// Nothing listed; an empty listing says so (on stderr, which ct() also captures).
	if unread := strings.TrimSpace(bob.must(t, "msg", "ls", "--unread")); unread != "" && !strings.HasPrefix(unread, "no messages") {
		t.Fatalf("bob still has unread: %q", unread)
	}

	// A credential never travels.
	if out, err := alice.ct(t, "msg", "send", "--to", "bob", "--body", "the key is AKIAIOSFODNN7EXAMPLE"); err == nil || !strings.Contains(out, "credentials") {
		t.Fatalf("a message with an AWS key was not refused: %v %q", err, out)
	}

	// carol's lock blocks bob until carol releases it.
	carol.must(t, "lock", "deploy", "--ttl", "10m", "--reason", "migrating the db")
	out, err := bob.ct(t, "lock", "deploy")
	if err == nil || !strings.Contains(out, "held by carol until") || !strings.Contains(out, "migrating the db") {
		t.Fatalf("bob's lock was not refused naming carol: %v %q", err, out)
	}
	if locks := bob.must(t, "locks"); !strings.Contains(locks, "deploy\tcarol") {
		t.Fatalf("locks: %q", locks)
	}
	carol.must(t, "unlock", "deploy")
	bob.must(t, "lock", "deploy", "--ttl", "10m")
	bob.must(t, "unlock", "deploy")

	// ... and until carol's lease expires on its own.
	carol.must(t, "lock", "deploy", "--ttl", "1s")
	if _, err := bob.ct(t, "lock", "deploy"); err == nil {
		t.Fatal("bob took a lock carol holds")
	}
	WaitFor(t, 10*time.Second, "carol's lease to expire", func() bool {
		_, err := bob.ct(t, "lock", "deploy")
		return err == nil
	})
	if locks := carol.must(t, "locks"); !strings.Contains(locks, "deploy\tbob") {
		t.Fatalf("after expiry: %q", locks)
	}
}

// With the hub away, messages and todo changes queue on disk and are
// delivered in order when it is back; locks are refused, saying why.
func TestCoordOfflineQueue(t *testing.T) {
	h := StartHub(t, t.TempDir(), "127.0.0.1:0")
	alice, bob := newCoordPeer(t, h, "alice"), newCoordPeer(t, h, "bob")
	bob.must(t, "msg", "ls")
	alice.must(t, "todo", "add", "write", "the", "docs")
	data, addr := h.Data, h.Addr
	h.Stop(t)

	for i, body := range []string{"first", "second"} {
		out := alice.must(t, "msg", "send", "--to", "bob", "--body", body)
		if !strings.HasPrefix(out, "queued:") || !strings.Contains(out, []string{"1 waiting", "2 waiting"}[i]) {
			t.Fatalf("offline send: %q", out)
		}
	}
	if out := alice.must(t, "todo", "done", "1"); !strings.HasPrefix(out, "queued:") {
		t.Fatalf("offline todo: %q", out)
	}
	out, err := alice.ct(t, "lock", "deploy")
	if err == nil || !strings.Contains(out, "never granted") && !strings.Contains(out, "none is granted") {
		t.Fatalf("offline lock: %v %q", err, out)
	}

	h2 := StartHub(t, data, addr)
	*alice.hubURL = h2.URL
	out = alice.must(t, "todo", "ls")
	if !strings.Contains(out, "1\tdone") || strings.Count(out, "delivered a queued change") != 3 {
		t.Fatalf("after the hub came back: %q", out)
	}
	inbox := bob.must(t, "msg", "ls")
	if i, j := strings.Index(inbox, "first"), strings.Index(inbox, "second"); i < 0 || j < i {
		t.Fatalf("queued messages missing or out of order: %q", inbox)
	}
}

// A webhook turns any JSON body into a message; a wrong secret is refused.
func TestCoordWebhook(t *testing.T) {
	h := StartHub(t, t.TempDir(), "127.0.0.1:0")
	bob := newCoordPeer(t, h, "bob")
	bob.must(t, "msg", "ls")
	var made struct {
		Path string `json:"path"`
	}
	if st := bob.api(t, "POST", "/api/v1/hooks", map[string]string{"name": "ci", "to": "bob", "type": "blocker"}, &made); st != 201 {
		t.Fatalf("create hook: %d", st)
	}
	post := func(path string) int {
		resp, err := http.Post(h.URL+path, "application/json", strings.NewReader(`{"title":"build 42 failed","url":"https://ci.example/42"}`))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if st := post(made.Path + "x"); st != 404 {
		t.Fatalf("wrong secret: %d", st)
	}
	if st := post(made.Path); st != 201 {
		t.Fatalf("deliver: %d", st)
	}
	if inbox := bob.must(t, "msg", "ls"); !strings.Contains(inbox, "ci: build 42 failed") || !strings.Contains(inbox, "blocker") {
		t.Fatalf("inbox: %q", inbox)
	}
}

// ct remind schedules a one-off on the hub, which delivers it as a message.
func TestCoordRemindCLI(t *testing.T) {
	h := StartHub(t, t.TempDir(), "127.0.0.1:0")
	alice, bob := newCoordPeer(t, h, "alice"), newCoordPeer(t, h, "bob")
	bob.must(t, "msg", "ls")
	if out := alice.must(t, "remind", "--at", "1s", "--to", "bob", "--subject", "stand-up", "--body", "in the big room"); !strings.HasPrefix(out, "reminder 1 scheduled") {
		t.Fatalf("remind: %q", out)
	}
	if out, err := alice.ct(t, "remind", "--cron", "every tuesday", "--to", "bob", "--body", "x"); err == nil || !strings.Contains(out, "five fields") {
		t.Fatalf("a bad cron expression: %v %q", err, out)
	}
	alice.must(t, "remind", "--cron", "@daily", "--to", "bob", "--body", "daily check")
	WaitFor(t, 15*time.Second, "the reminder in bob's inbox", func() bool {
		out, _ := bob.ct(t, "msg", "ls", "--q", "stand-up")
		return strings.Contains(out, "alice -> bob") && strings.Contains(out, "stand-up")
	})
	list := alice.must(t, "remind", "ls")
	if !strings.Contains(list, "fired 1") || !strings.Contains(list, "@daily") || !strings.Contains(list, "done") {
		t.Fatalf("remind ls: %q", list)
	}
}
