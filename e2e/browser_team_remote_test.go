package e2e

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/ct-dev/ct/coord"
)

// The Team page lists the peers of a bridged hub (issue 19 item 12): with
// a real ct bridge between two hubs, bob of hubB is on hub A's /team as
// bob@hubB, badged "remote · hubB", at 390 px without sideways scroll;
// he appears on an open page without a reload, and his page shows the
// message addressed to him across the bridge.
func TestBrowserTeamShowsRemotePeers(t *testing.T) {
	a := StartHub(t, t.TempDir(), "127.0.0.1:0")
	b := StartHub(t, t.TempDir(), "127.0.0.1:0")
	bob := apiPeer(t, b, "bob")
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	status := "reviewing on B"
	if _, err := bob.UpdatePeer(ctx, coord.PeerUpdate{Status: &status}); err != nil {
		t.Fatal(err)
	}
	p := StartPhone(t)
	Login(t, p, a.URL, "admin", AdminPassword)
	p.Do(t, "open the Team page", chromedp.Navigate(a.URL+"/team"))
	p.WaitJS(t, 10*time.Second, "the Team page live", sseOpen, `document.body.innerText`)
	Eval[bool](t, p, `(window.ctMark = true)`)

	// The bridge's first announcement reaches the open page without a
	// reload (a peer event; the page's own refresh is once a minute).
	startBridge(t, a, b, "bridge")
	row := `document.querySelector('.team-peer[data-peer="bob@hubB"]')`
	p.WaitJS(t, 10*time.Second, "bob@hubB listed as remote, live", `!!`+row+` && `+row+`.querySelector('.team-remote').innerText === 'remote · hubB' &&
	  `+row+`.innerText.includes('reviewing on B') && window.ctMark === true`, `document.getElementById('team-list').innerText + ' mark=' + window.ctMark`)
	admin := apiPeer(t, a, "admin")
	if _, _, err := admin.SendMessage(ctx, coord.Message{To: "bob@hubB", Subject: "across the bridge"}); err != nil {
		t.Fatal(err)
	}
	p.WaitJS(t, 10*time.Second, "the message counted live", `!!document.querySelector('.traffic-edge[data-from="admin"][data-to="bob@hubB"]')`,
		`document.getElementById('team-traffic').innerText`)
	if bad := Eval[string](t, p, smallTargets(`.team-name, .team-more a`)+` + `+noSideways); bad != "" {
		t.Fatalf("Team page: %s", bad)
	}
	p.Screenshot(t, "/tmp/ct-shots/team-remote-phone.png")
	p.Do(t, "open bob@hubB's page", chromedp.Tap(chromedp.CSS(`.team-peer[data-peer="bob@hubB"] .team-name`)))
	p.WaitJS(t, 10*time.Second, "bob@hubB's page", `location.pathname === '/team/p/bob@hubB' &&
	  document.getElementById('peer-messages').innerText.includes('across the bridge') && `+noSideways+` === ''`, `document.body.innerText`)
	p.Screenshot(t, "/tmp/ct-shots/team-remote-peer-phone.png")
	desktopLook(t, a.URL, "/team", `!!document.querySelector('.team-peer[data-peer="bob@hubB"] .team-remote')`, "/tmp/ct-shots/team-remote-desktop.png")
}
