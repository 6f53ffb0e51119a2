package e2e

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// An agent peer that opted in gets a one-line notice typed into its
// waiting session when a message arrives; one that did not, does not.
func TestCoordPromptNotice(t *testing.T) {
	h := StartHub(t, t.TempDir(), "127.0.0.1:0")
	w := StartWrap(t, nil, "--hub", h.URL, "--name", "agent-box", "--", "bash", "-c", `echo ready; while IFS= read -r l; do echo "got:$l"; done`)
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
	// The session counts as waiting once it has been quiet for a few seconds.
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
