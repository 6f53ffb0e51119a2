package e2e

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// An agent peer that opted in gets a one-line notice typed into its
// session when a message arrives after the agent ended its turn (a Stop
// hook); one that did not, does not. The "agent" is a script run as claude
// (so ct's hooks are injected) that reports Stop through ct hook, again
// every second as a real agent would after each turn.
func TestCoordPromptNotice(t *testing.T) {
	h := StartHub(t, t.TempDir(), "127.0.0.1:0")
	script := filepath.Join(t.TempDir(), "agent.sh")
	body := "#!/bin/sh\n( while :; do echo '{}' | \"$CT_E2E_BIN\" hook Stop; sleep 1; done ) &\n" +
		"echo ready\nwhile IFS= read -r l; do echo \"got:$l\"; done\n"
	if err := os.WriteFile(script, []byte(body), 0o755); err != nil {
		t.Fatal(err)
	}
	w := StartWrap(t, []string{"CT_E2E_BIN=" + Binary(t)}, "--hub", h.URL, "--name", "agent-box", "--agent", "claude", "--", script)
	s := SessionFor(t, h.URL, "agent-box")
	agent, boss := newCoordPeer(t, h, "agent-tok"), newCoordPeer(t, h, "boss")
	boss.must(t, "msg", "ls")

	patch := func(body string) int {
		req, _ := http.NewRequest("PATCH", h.URL+"/api/v1/peers/me", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+agent.token)
		req.Header.Set("X-CT-Peer", "agent-one")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if st := patch(`{"session":"no-such-session","notify_prompt":true}`); st != 404 {
		t.Fatalf("claiming a session that does not exist: %d", st)
	}
	if st := patch(`{"session":"` + s.ID + `","notify_prompt":false}`); st != 200 {
		t.Fatalf("naming the session: %d", st)
	}
	boss.must(t, "msg", "send", "--to", "agent-one", "--subject", "quiet one", "--body", "x")
	if st := patch(`{"notify_prompt":true}`); st != 200 {
		t.Fatalf("opting in: %d", st)
	}
	// The agent's Stop says it waits for input: the notice goes in.
	boss.must(t, "msg", "send", "--to", "agent-one", "--subject", "please rebase", "--body", "main moved")
	WaitFor(t, 20*time.Second, "the notice typed into the agent's session", func() bool {
		return strings.Contains(Get(h.URL+"/api/v1/sessions/"+s.ID+"/log"), "got:[ct] new message #")
	})
	log := Get(h.URL + "/api/v1/sessions/" + s.ID + "/log")
	if !strings.Contains(log, "from boss: please rebase - read it with your check_messages tool") || strings.Contains(log, "quiet one") {
		t.Fatalf("session log: %q", log)
	}
	_ = w
}
