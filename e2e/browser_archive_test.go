package e2e

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/coder/websocket"
	"github.com/ct-dev/ct/wire"
)

// drainingWrap is a wrap that speaks the wire protocol itself, so a test
// can hold its connection open after session.end: the moment a real
// ct wrap spends waiting for its last acks, made as long as the test needs.
type drainingWrap struct {
	c   *websocket.Conn
	sid string
}

// dialDrainingWrap connects as machine name and starts session sid.
func dialDrainingWrap(t *testing.T, hubURL, name, sid string) *drainingWrap {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(hubURL, "http")+"/ws/wrap",
		&websocket.DialOptions{HTTPHeader: http.Header{"Authorization": {"Bearer " + MachineToken(t, hubURL, name)}}})
	if err != nil {
		t.Fatalf("dial the hub as a wrap: %v", err)
	}
	c.SetReadLimit(wire.MaxFrame)
	t.Cleanup(func() { _ = c.CloseNow() })
	w := &drainingWrap{c: c, sid: sid}
	hello, _ := wire.New(wire.TypeNodeHello, wire.Hello{Node: name, Hostname: name, User: "u", OS: "linux", Version: "test"})
	start, _ := wire.New(wire.TypeSessionStart, wire.SessionStart{Command: "bash", Cwd: "/", Cols: 80, Rows: 24, StartedAt: time.Now().UTC()})
	start.SessionID = sid
	w.send(t, hello)
	w.send(t, start)
	go func() { // read (and drop) what the hub sends, so its pings are answered
		for {
			if _, _, err := c.Read(context.Background()); err != nil {
				return
			}
		}
	}()
	return w
}

func (w *drainingWrap) send(t *testing.T, e wire.Envelope) {
	t.Helper()
	b, err := wire.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := w.c.Write(ctx, websocket.MessageBinary, b); err != nil {
		t.Fatalf("wrap send %s: %v", e.Type, err)
	}
}

// Archive tapped right after the page shows "ended", at 390×844, while the
// wrap is still connected (draining): the manage page offers Archive and
// it works, where it used to answer 409; End program is not offered for
// a program that has ended.
func TestBrowserArchiveRightAfterTheEnd(t *testing.T) {
	h := StartHub(t, t.TempDir(), "127.0.0.1:0")
	w := dialDrainingWrap(t, h.URL, "drainbox", "sess-drain-e2e")
	out, _ := wire.New(wire.TypePtyOutput, nil)
	out.SessionID, out.Seq, out.Data = w.sid, 1, []byte("drain-ready\r\n")
	w.send(t, out)
	waitLogContains(t, h.URL, w.sid, "drain-ready")
	b := StartBrowser(t, PhoneWidth, PhoneHeight)
	Login(t, b, h.URL, "admin", AdminPassword)
	b.Do(t, "open the session", chromedp.Navigate(h.URL+"/s/"+w.sid))
	b.WaitJS(t, 10*time.Second, "the live session", sseOpen+` && document.getElementById('status').dataset.status === 'live'`, `document.body.innerText.slice(0, 300)`)
	end, _ := wire.New(wire.TypeSessionEnd, wire.SessionEnd{ExitCode: 0, EndedAt: time.Now().UTC()})
	end.SessionID, end.Seq = w.sid, 2
	w.send(t, end) // and stay connected
	b.WaitJS(t, 10*time.Second, "the page showing it ended", `document.getElementById('status').dataset.status === 'ended'`, `document.body.innerText.slice(0, 300)`)
	b.Do(t, "tap Stop · share", chromedp.Tap(chromedp.CSS(`#manage`)))
	b.WaitJS(t, 10*time.Second, "the Archive button while the wrap drains", `location.pathname.endsWith('/manage') && document.getElementById('archive-btn') !== null && document.getElementById('end-program') === null`,
		`document.getElementById('archive') && document.getElementById('archive').innerText`)
	checkLayout(t, b, "manage page of a just-ended session")
	b.Screenshot(t, "/tmp/ct-shots/archive-draining-phone.png")
	b.Do(t, "tap Archive", chromedp.Tap(chromedp.CSS(`#archive-btn`)))
	b.WaitJS(t, 10*time.Second, "the lobby without the session",
		fmt.Sprintf(`location.pathname === '/' && !document.querySelector('a[href="/s/%s"]')`, w.sid), `location.href + ' ' + document.body.innerText.slice(0, 300)`)
	if !strings.Contains(rawSession(t, h.URL, w.sid), `"archived":true`) {
		t.Fatalf("not archived: %s", rawSession(t, h.URL, w.sid))
	}
}
