package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// The MCP proxy from a terminal and a browser (issue 19 item 4): a real
// ct mcp hosts e2e/testdata/mcpecho with an allow-list; `ct mcp-proxy ls`
// lists it (host, tools, allow-list, calls), `ct mcp-proxy call` runs an
// allowed tool through the hub and is refused one off the list and bad
// JSON, and /mcp, linked from the Team page, shows the same with the call
// counted, at 390 px and at the desktop width.
func TestMCPProxyCLIAndPage(t *testing.T) {
	echo := buildMCPEcho(t)
	h := StartHub(t, t.TempDir(), "127.0.0.1:0")
	host, _ := startMCPHost(t, newCoordPeer(t, h, "tok-host"), "hhhhhhhh-1111")
	cli := newCoordPeer(t, h, "cli-caller")
	host.must("mcp_register", map[string]any{"name": "echo", "command": echo, "allow_tools": []string{"echo"}})

	ls := cli.must(t, "mcp-proxy", "ls")
	if !strings.Contains(ls, "echo  hosted by ") || !strings.Contains(ls, "calls 0  allow-list: echo (1 of 2 tools)") ||
		!strings.Contains(ls, "  echo  Say text back.") || strings.Contains(ls, "secret") {
		t.Fatalf("ct mcp-proxy ls:\n%s", ls)
	}
	if out := cli.must(t, "mcp-proxy", "call", "echo", "echo", `{"text":"hi"}`); !strings.Contains(out, "echo: hi (ct credential absent)") {
		t.Fatalf("ct mcp-proxy call echo echo:\n%s", out)
	}
	if out, err := cli.ct(t, "mcp-proxy", "call", "echo", "secret"); err == nil || !strings.Contains(out, "allow-list") {
		t.Fatalf("a tool off the allow-list: %v\n%s", err, out)
	}
	if out, err := cli.ct(t, "mcp-proxy", "call", "echo", "echo", "text=hi"); err == nil || !strings.Contains(out, "must be a JSON object") {
		t.Fatalf("arguments that are not JSON: %v\n%s", err, out)
	}
	if out, err := cli.ct(t, "mcp-proxy", "call", "nope", "echo"); err == nil || !strings.Contains(out, "no MCP server") {
		t.Fatalf("an unknown server: %v\n%s", err, out)
	}
	if ls := cli.must(t, "mcp-proxy", "ls"); !strings.Contains(ls, "calls 1  ") {
		t.Fatalf("the call not counted:\n%s", ls)
	}

	p := StartPhone(t)
	Login(t, p, h.URL, "admin", AdminPassword)
	p.Do(t, "open the Team page", chromedp.Navigate(h.URL+"/team"))
	p.Do(t, "tap Proxied MCP servers", chromedp.Tap(chromedp.CSS(`.team-more a[href="/mcp"]`)))
	srv := `document.querySelector('.mcp-server[data-server="echo"]')`
	p.WaitJS(t, 10*time.Second, "the echo server on /mcp", `location.pathname === '/mcp' && !!`+srv+` &&
	  `+srv+`.querySelector('.mcp-calls').dataset.calls === '1' && `+srv+`.querySelector('.mcp-host a').innerText.endsWith('-hhhhhhhh') &&
	  `+srv+`.querySelector('.mcp-allow').innerText === 'allow-list: echo (1 of 2 tools)' &&
	  `+srv+`.querySelector('.mcp-tools').innerText.includes('Say text back.') && !`+srv+`.innerText.includes('secret')`,
		`document.body.innerText`)
	if bad := Eval[string](t, p, smallTargets(`.mcp-host a, .mcp a[href="/team"]`)+` + `+noSideways); bad != "" {
		t.Fatalf("/mcp: %s", bad)
	}
	p.Screenshot(t, "/tmp/ct-shots/mcp-phone.png")
	desktopLook(t, h.URL, "/mcp", `!!`+srv, "/tmp/ct-shots/mcp-desktop.png")
}
