package e2e

import (
	"strings"
	"testing"

	"github.com/ct-dev/ct/claudetest"
)

// Real Claude Code under `ct wrap` gets ct's MCP tools through
// --mcp-config: scripted to call mcp__ct__send_message, it sends a message
// (after the person approves the tool call on the hub) that another peer
// reads; the peer is named after the wrapped session.
func TestClaudeSendsMessageThroughCtMCP(t *testing.T) {
	bin := claudetest.Binary(t)
	h := StartHub(t, t.TempDir(), "127.0.0.1:0")
	boss := newCoordPeer(t, h, "boss")
	boss.must(t, "msg", "ls")
	apiToken := MintToken(t, h.URL, "admin", AdminPassword, map[string]string{"name": "claude-agents", "kind": "api"})

	api := claudetest.NewFakeAPI(t)
	api.SetScript(claudetest.ToolThenText(claudetest.Reply{Tool: &claudetest.ToolUse{
		Name:  "mcp__ct__send_message",
		Input: map[string]any{"to": "boss", "type": "status-update", "subject": "hello from claude", "body": "the schema is done"},
	}}, "I told boss."))
	project := t.TempDir()
	home := claudetest.Home(t, project)
	env := append(claudetest.Env(home, api.URL), "CT_NAME=claudebox",
		"CT_TOKEN="+MachineToken(t, h.URL, "claudebox"), "CT_API_TOKEN="+apiToken)
	term := claudetest.NewTmux(t, project, env, Binary(t), "wrap", "--hub", h.URL, "--", bin)
	term.WaitFor(claudetest.ReadyText, claudeWait)
	term.Type("tell boss the schema is done")
	term.WaitFor("tell boss the schema is done", claudeWait)
	term.SendKeys("Enter")

	// Calling an MCP tool is a permission question like any other: a person approves it on the hub.
	p := waitPending(t, h.URL)
	if !strings.Contains(p.Tool, "mcp__ct__send_message") {
		t.Fatalf("pending prompt for %q, want the ct MCP tool", p.Tool)
	}
	if code, body := PostJSON(h.URL+"/api/v1/prompts/"+p.ID+"/decision", map[string]string{"decision": "allow"}); code != 200 {
		t.Fatalf("decision: %d %s", code, body)
	}
	inbox := boss.must(t, "msg", "ls", "--wait", "30s")
	if !strings.Contains(inbox, "hello from claude") || !strings.Contains(inbox, "-"+p.SessionID[:8]+" -> boss") {
		t.Fatalf("boss's inbox: %q (session %s)", inbox, p.SessionID)
	}
	term.WaitFor("I told boss.", claudeWait)
}
