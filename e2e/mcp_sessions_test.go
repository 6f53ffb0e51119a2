package e2e

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// fakeClaude is a program named claude, so ct wrap runs it as Claude Code
// (hooks injected, an agent credential handed over), that copies its
// session's agent credential to out and waits. The test's MCP client then
// runs ct mcp with that credential, exactly as the agent in that session would.
func fakeClaude(t *testing.T, out string) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "claude")
	script := "#!/bin/sh\n" +
		`while [ ! -s "$CT_AGENT_TOKEN_FILE" ]; do sleep 0.05; done` + "\n" +
		`cp "$CT_AGENT_TOKEN_FILE" "` + out + `.tmp" && mv "` + out + `.tmp" "` + out + `"` + "\n" +
		"echo AGENT-READY\nexec sleep 600\n"
	if err := os.WriteFile(bin, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return bin
}

// startAgentMCP wraps a fake Claude Code on machine "agentbox" and connects
// an MCP client to a ct mcp that uses that session's own agent credential.
func startAgentMCP(t *testing.T, h *Hub) *mcpAgent {
	t.Helper()
	return startAgentMCPOn(t, h, "agentbox", "", nil)
}

// startAgentMCPOn is startAgentMCP on machine with the wrap's env (a
// CT_TOKEN of another person's machine token makes the agent theirs),
// its ct mcp acting as peer (CT_PEER) unless that is empty.
func startAgentMCPOn(t *testing.T, h *Hub, machine, peer string, env []string) *mcpAgent {
	t.Helper()
	cred := filepath.Join(t.TempDir(), "agent-credential")
	StartWrap(t, env, "--hub", h.URL, "--name", machine, "--", fakeClaude(t, cred))
	WaitFor(t, 20*time.Second, "the agent's credential from its wrap", func() bool {
		b, err := os.ReadFile(cred)
		return err == nil && strings.HasPrefix(string(b), "ctg_")
	})
	cmd := exec.Command(Binary(t), "mcp")
	cmd.Env = append(os.Environ(), "CT_HUB="+h.URL, "CT_TOKEN=", "CT_API_TOKEN=", "CT_AGENT_TOKEN_FILE="+cred,
		"XDG_CONFIG_HOME="+t.TempDir(), "CT_PEER="+peer, "CT_SESSION=")
	cmd.Stderr = os.Stderr
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "e2e-coordinator", Version: "1"}, nil).Connect(ctx, &mcp.CommandTransport{Command: cmd}, nil)
	if err != nil {
		t.Fatalf("connect to ct mcp: %v", err)
	}
	t.Cleanup(func() { cs.Close() })
	return &mcpAgent{t: t, cs: cs}
}

// wheel does a wheel action on session id as the hub's admin (the owner of
// every credential the harness makes).
func wheel(t *testing.T, h *Hub, id, action string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, h.URL+"/s/"+id+"/wheel", strings.NewReader(url.Values{"action": {action}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", "Bearer "+h.Token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusNoContent {
		t.Fatalf("wheel %s: %v %v", action, err, resp)
	}
	resp.Body.Close()
}

// An agent, through its own ct mcp and its session's credential, lists the
// sessions its person may see, reads another session's screen and
// transcript, is refused input while nobody drives, and types once its
// person holds the wheel: the wrapped program receives the text. It also
// starts a session on a real ct node.
func TestMCPAgentCoordinatesSessions(t *testing.T) {
	h := StartHub(t, t.TempDir(), "127.0.0.1:0")
	StartWrap(t, nil, "--hub", h.URL, "--name", "workbox", "--", "sh", "-c", `echo WORKER-READY; while read l; do echo "GOT:$l"; done`)
	target := SessionFor(t, h.URL, "workbox")
	waitLogContains(t, h.URL, target.ID, "WORKER-READY")
	agent := startAgentMCP(t, h)

	var list []struct {
		ID, Title, Machine, Agent, State string
	}
	if err := json.Unmarshal([]byte(agent.must("list_sessions", nil)), &list); err != nil {
		t.Fatal(err)
	}
	var found, self bool
	for _, s := range list {
		found = found || (s.ID == target.ID && s.Machine == "workbox" && strings.HasPrefix(s.Title, "sh -c") && s.State != "")
		self = self || (s.Machine == "agentbox" && s.Agent == "claude")
	}
	if !found || !self {
		t.Fatalf("list_sessions = %+v; want workbox's sh and the agent's own claude session", list)
	}
	if screen := agent.must("read_screen", map[string]any{"session": target.ID}); !strings.Contains(screen, "WORKER-READY") {
		t.Fatalf("read_screen = %q", screen)
	}
	if tr := agent.must("read_transcript", map[string]any{"session": target.ID, "limit": 10}); !strings.Contains(tr, `"next": 0`) {
		t.Fatalf("read_transcript of a plain program = %s; want an empty page", tr)
	}

	// Nobody drives: refused, with who must do what, and audited.
	out, isErr := agent.call("send_input", map[string]any{"session": target.ID, "text": "hello from an agent", "enter": true})
	if !isErr || !strings.Contains(out, "nobody drives this session") || !strings.Contains(out, "admin must take the wheel") {
		t.Fatalf("send_input without the wheel = %v %q", isErr, out)
	}
	if ws := wheelHolder(t, h, target.ID); ws != "" {
		t.Fatalf("the agent's refused input took the wheel for %q", ws)
	}
	// Its person takes the wheel: the program gets the text.
	wheel(t, h, target.ID, "take")
	agent.must("send_input", map[string]any{"session": target.ID, "text": "hello from an agent", "enter": true})
	waitLogContains(t, h.URL, target.ID, "GOT:hello from an agent")
	WaitFor(t, 10*time.Second, "both attempts in the audit log", func() bool {
		a := Get(h.URL + "/admin/audit")
		return strings.Contains(a, "input.agent") && strings.Contains(a, "refused: someone else has the wheel")
	})

	// start_session on a real ct node, under the agent's person's rights.
	root, _ := filepath.EvalSymlinks(t.TempDir())
	n := startNode(t, h.URL, "nodebox", "--allow", "bash", "--root", root)
	waitNode(t, h.URL, "nodebox", n)
	out = agent.must("start_session", map[string]any{"node": "nodebox", "command": "bash", "dir": root})
	id := strings.Fields(out)[2]
	WaitFor(t, 15*time.Second, "the started session live", func() bool { return sessionStatus(h.URL, id) == "live" })
	if out, isErr := agent.call("start_session", map[string]any{"node": "nodebox", "command": "sh", "dir": root}); !isErr || !strings.Contains(out, "not allowed") {
		t.Fatalf("start_session of a command the node refuses = %v %q", isErr, out)
	}
}

// wheelHolder is who holds session id's wheel ("" when free).
func wheelHolder(t *testing.T, h *Hub, id string) string {
	t.Helper()
	var s struct {
		Wheel struct{ Holder string } `json:"wheel"`
	}
	if err := json.Unmarshal([]byte(Get(h.URL+"/api/v1/sessions/"+id)), &s); err != nil {
		t.Fatal(err)
	}
	return s.Wheel.Holder
}

// The real Claude Code, watched by another agent through ct mcp: the agent
// sees the question it waits on, cannot answer it by typing even with its
// person at the wheel, reads the turn's transcript once a person answered,
// and then types into Claude's input.
func TestMCPAgentWatchesClaude(t *testing.T) {
	h := StartHub(t, t.TempDir(), "127.0.0.1:0")
	c := startClaude(t, h.URL)
	agent := startAgentMCP(t, h)
	c.ask()
	p := waitPending(t, h.URL)

	var list []struct {
		ID      string
		Machine string
		Waiting *struct{ ID, Tool, Summary, URL string }
	}
	if err := json.Unmarshal([]byte(agent.must("list_sessions", nil)), &list); err != nil {
		t.Fatal(err)
	}
	var waiting bool
	for _, s := range list {
		waiting = waiting || (s.ID == p.SessionID && s.Waiting != nil && s.Waiting.ID == p.ID && s.Waiting.Tool == "Bash" &&
			s.Waiting.Summary == proofCmd && s.Waiting.URL == "/p/"+p.ID)
	}
	if !waiting {
		t.Fatalf("list_sessions does not say Claude waits on %s: %+v", p.ID, list)
	}
	wheel(t, h, p.SessionID, "take")
	out, isErr := agent.call("send_input", map[string]any{"session": p.SessionID, "text": "1", "enter": true})
	if !isErr || !strings.Contains(strings.ToLower(out), "a question is open") {
		t.Fatalf("send_input while Claude asks = %v %q; want a refusal", isErr, out)
	}
	if pr := waitPrompt(t, h.URL, p.ID, func(apiPrompt) bool { return true }); pr.State != "pending" {
		t.Fatalf("the agent's keys settled the prompt: %+v", pr)
	}

	if code, body := PostJSON(h.URL+"/api/v1/prompts/"+p.ID+"/decision", map[string]string{"decision": "allow"}); code != 200 {
		t.Fatalf("decision: %d %s", code, body)
	}
	c.term.WaitFor(replyText, claudeWait)
	WaitFor(t, claudeWait, "the turn in read_transcript", func() bool {
		tr := agent.must("read_transcript", map[string]any{"session": p.SessionID})
		return strings.Contains(tr, askText) && strings.Contains(tr, replyText)
	})
	agent.must("send_input", map[string]any{"session": p.SessionID, "text": "typed by the coordinator"})
	c.term.WaitFor("typed by the coordinator", claudeWait)
}
