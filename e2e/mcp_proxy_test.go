package e2e

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// buildMCPEcho builds testdata/mcpecho, a tiny MCP server with the tools
// echo and secret, and returns its path.
func buildMCPEcho(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "mcpecho")
	cmd := exec.Command("go", "build", "-o", bin, "./e2e/testdata/mcpecho")
	cmd.Dir = RepoRoot(t)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build mcpecho: %v\n%s", err, out)
	}
	return bin
}

// startMCPHost starts `ct mcp` as p and connects an MCP client to it; it
// returns the process too, so a test can kill it.
func startMCPHost(t *testing.T, p *coordPeer, session string) (*mcpAgent, *exec.Cmd) {
	t.Helper()
	cmd := exec.Command(Binary(t), "mcp")
	cmd.Env = append(os.Environ(), "CT_HUB="+*p.hubURL, "CT_TOKEN="+p.token, "XDG_CONFIG_HOME="+p.home, "CT_SESSION="+session, "CT_PEER=")
	cmd.Stderr = os.Stderr
	client := mcp.NewClient(&mcp.Implementation{Name: "e2e-host", Version: "1"}, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cs, err := client.Connect(ctx, &mcp.CommandTransport{Command: cmd}, nil)
	if err != nil {
		t.Fatalf("connect to ct mcp: %v", err)
	}
	t.Cleanup(func() { cs.Close() })
	return &mcpAgent{t: t, cs: cs}, cmd
}

type proxiedServer struct {
	Name, Host string
	Tools      []struct{ Name string }
}

func listProxied(t *testing.T, a *mcpAgent) []proxiedServer {
	t.Helper()
	var list []proxiedServer
	if err := json.Unmarshal([]byte(a.must("mcp_list", nil)), &list); err != nil {
		t.Fatal(err)
	}
	return list
}

// One agent's ct mcp hosts a real MCP server; another agent, through its
// own ct mcp, lists it, calls an allowed tool, is refused one off the
// allow-list, and sees the server go when its host leaves: first by a
// clean exit, then by SIGKILL (the hub notices the poll connection close).
func TestMCPProxyRoutesToolCallsToTheHostingPeer(t *testing.T) {
	echo := buildMCPEcho(t)
	h := StartHub(t, t.TempDir(), "127.0.0.1:0")
	hostPeer, callerPeer := newCoordPeer(t, h, "tok-host"), newCoordPeer(t, h, "tok-caller")
	host, _ := startMCPHost(t, hostPeer, "hhhhhhhh-1111")
	caller := startMCPAgent(t, callerPeer, "cccccccc-2222")

	host.must("mcp_register", map[string]any{"name": "echo", "command": echo, "allow_tools": []string{"echo"}})
	list := listProxied(t, caller)
	if len(list) != 1 || list[0].Name != "echo" || !strings.HasSuffix(list[0].Host, "-hhhhhhhh") ||
		len(list[0].Tools) != 1 || list[0].Tools[0].Name != "echo" {
		t.Fatalf("mcp_list = %+v; want server echo hosted by the host agent with only the tool echo", list)
	}

	got := caller.must("mcp_tool_call", map[string]any{"server": "echo", "tool": "echo", "args": map[string]any{"text": "hi"}})
	if got != "echo: hi (ct credential absent)" {
		t.Fatalf("mcp_tool_call echo = %q", got)
	}
	if out, isErr := caller.call("mcp_tool_call", map[string]any{"server": "echo", "tool": "secret"}); !isErr || !strings.Contains(out, "allow-list") {
		t.Fatalf("a tool off the allow-list: %q (error %v); want it refused", out, isErr)
	}
	WaitFor(t, 10*time.Second, "the calls in the audit log", func() bool {
		a := Get(h.URL + "/admin/audit")
		return strings.Contains(a, "mcp.register") && strings.Contains(a, "echo.echo by") && strings.Contains(a, "echo.secret by")
	})

	// A clean exit: the host's ct mcp stops the server and unregisters it.
	host.cs.Close()
	WaitFor(t, 10*time.Second, "the server gone after its host exits", func() bool { return len(listProxied(t, caller)) == 0 })
	if out, isErr := caller.call("mcp_tool_call", map[string]any{"server": "echo", "tool": "echo", "args": map[string]any{"text": "hi"}}); !isErr || !strings.Contains(out, "no MCP server") {
		t.Fatalf("calling a gone server: %q (error %v)", out, isErr)
	}

	// A host killed outright: its long-poll's connection closes.
	killed, cmd := startMCPHost(t, hostPeer, "kkkkkkkk-3333")
	killed.must("mcp_register", map[string]any{"name": "echo2", "command": echo})
	if list := listProxied(t, caller); len(list) != 1 || len(list[0].Tools) != 2 {
		t.Fatalf("without allow_tools every tool is listed: %+v", list)
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	// Usually the closed poll drops it at once; killed between two polls,
	// the hub drops it when no poll comes for 15 s.
	WaitFor(t, 30*time.Second, "the server gone after its host is killed", func() bool { return len(listProxied(t, caller)) == 0 })
}

// The hub keeps the proxy table in memory only: after a restart the
// host's ct mcp, told by its next poll that it hosts nothing, registers
// its server again and calls work as before.
func TestMCPProxyHostRegistersAgainAfterHubRestart(t *testing.T) {
	echo := buildMCPEcho(t)
	dir := t.TempDir()
	h := StartHub(t, dir, "127.0.0.1:0")
	hostPeer, callerPeer := newCoordPeer(t, h, "tok-host"), newCoordPeer(t, h, "tok-caller")
	host, _ := startMCPHost(t, hostPeer, "hhhhhhhh-1111")
	caller := startMCPAgent(t, callerPeer, "cccccccc-2222")
	host.must("mcp_register", map[string]any{"name": "echo", "command": echo, "allow_tools": []string{"echo"}})

	h.Kill()
	StartHub(t, dir, h.Addr) // the same address: both ct mcp processes keep their hub URL
	WaitFor(t, 30*time.Second, "the server registered again", func() bool {
		out, isErr := caller.call("mcp_list", nil)
		return !isErr && strings.Contains(out, `"name": "echo"`)
	})
	if got := caller.must("mcp_tool_call", map[string]any{"server": "echo", "tool": "echo", "args": map[string]any{"text": "again"}}); got != "echo: again (ct credential absent)" {
		t.Fatalf("after the restart mcp_tool_call = %q", got)
	}
	if out, isErr := caller.call("mcp_tool_call", map[string]any{"server": "echo", "tool": "secret"}); !isErr || !strings.Contains(out, "allow-list") {
		t.Fatalf("the allow-list after re-registering: %q (error %v)", out, isErr)
	}
}
