package handlers

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/ct-dev/ct/wire"
)

// Helpers for the stream attack tests: a wrap playing a session over the
// real /ws/wrap socket, and a raw TCP SSE client that never reads.

// testWrap is a ct wrap speaking the wire protocol to the fixture's hub.
type testWrap struct {
	t   testing.TB
	c   *websocket.Conn
	sid string
	seq uint64
	hub interface{ Connected(id string) bool } // live waits for the attach
	got chan wire.Envelope                     // what the hub sent (acks are dropped)
	end chan error                             // the read loop's end
}

// dialWrap connects a wrap for session sid of machine node with token and
// sends hello and session.start (cols x rows).
func (f *authFixture) dialWrap(token, node, sid string, cols, rows int) (*testWrap, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	url := "ws" + strings.TrimPrefix(f.ts.URL, "http") + "/ws/wrap"
	c, resp, err := websocket.Dial(ctx, url, &websocket.DialOptions{HTTPHeader: http.Header{"Authorization": {"Bearer " + token}}})
	if err != nil {
		if resp != nil {
			return nil, fmt.Errorf("dial: %d %w", resp.StatusCode, err)
		}
		return nil, err
	}
	c.SetReadLimit(wire.MaxFrame)
	w := &testWrap{t: f.t, c: c, sid: sid, hub: f.hub, got: make(chan wire.Envelope, 256), end: make(chan error, 1)}
	hello, _ := wire.New(wire.TypeNodeHello, wire.Hello{Node: node, Hostname: node, User: "u", OS: "linux", Version: "test"})
	start, _ := wire.New(wire.TypeSessionStart, wire.SessionStart{Command: "bash", Cwd: "/", Cols: cols, Rows: rows, StartedAt: time.Now().UTC()})
	start.SessionID = sid
	for _, e := range []wire.Envelope{hello, start} {
		if err := w.write(e); err != nil {
			return nil, err
		}
	}
	go w.readLoop()
	return w, nil
}

func (w *testWrap) write(e wire.Envelope) error {
	b, err := wire.Marshal(e)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return w.c.Write(ctx, websocket.MessageBinary, b)
}

// readLoop keeps reading (so pings are answered) and passes on all but acks.
func (w *testWrap) readLoop() {
	for {
		_, b, err := w.c.Read(context.Background())
		if err != nil {
			w.end <- err
			return
		}
		e, err := wire.Unmarshal(b)
		if err != nil || e.Type == wire.TypeAck {
			continue
		}
		e.Data = append([]byte(nil), e.Data...)
		select {
		case w.got <- e:
		default:
		}
	}
}

// output sends one pty.output frame.
func (w *testWrap) output(data string) {
	w.t.Helper()
	w.seq++
	e, _ := wire.New(wire.TypePtyOutput, nil)
	e.SessionID, e.Seq, e.Data = w.sid, w.seq, []byte(data)
	if err := w.write(e); err != nil {
		w.t.Fatalf("wrap output: %v", err)
	}
}

// live waits for the hub's session.ack: the session is live by then.
func (w *testWrap) live() {
	w.t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case e := <-w.got:
			if e.Type == wire.TypeSessionAck {
				w.attached(timeout)
				return
			}
		case err := <-w.end:
			w.t.Fatalf("the hub ended the wrap's connection: %v", err)
		case <-timeout:
			w.t.Fatal("no session.ack from the hub")
		}
	}
}

func (w *testWrap) close() { _ = w.c.CloseNow() }

// ended waits for the hub to end the wrap's connection.
func (w *testWrap) ended(within time.Duration) error {
	select {
	case err := <-w.end:
		return err
	case <-time.After(within):
		return fmt.Errorf("the wrap's connection is still open after %s", within)
	}
}

// stuckClient opens an SSE stream over raw TCP with a tiny receive buffer
// and never reads it: a phone that stopped reading.
func (f *authFixture) stuckClient(path, token string) net.Conn {
	f.t.Helper()
	d := net.Dialer{Control: func(_, _ string, rc syscall.RawConn) error {
		return rc.Control(smallReceiveBuffer)
	}}
	c, err := d.Dial("tcp", strings.TrimPrefix(f.ts.URL, "http://"))
	if err != nil {
		f.t.Fatal(err)
	}
	f.t.Cleanup(func() { _ = c.Close() })
	fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nAccept: text/event-stream\r\n\r\n", path, token)
	return c
}

// sseEvents reads a stream's events (data lines joined) onto a channel,
// which closes when the stream ends.
func sseEvents(t testing.TB, url, token string) (<-chan string, *http.Response) {
	t.Helper()
	return sseEventsAs(t, url, cred{bearer: token})
}

// sseEventsAs is sseEvents with any credential.
func sseEventsAs(t testing.TB, url string, c cred) (<-chan string, *http.Response) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(ctx, "GET", url, nil)
	c.apply(req)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("stream: %v", err)
	}
	ch := make(chan string, 1024)
	if resp.StatusCode != 200 {
		close(ch)
		return ch, resp
	}
	go func() {
		defer close(ch)
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(make([]byte, 4<<20), 4<<20)
		var ev strings.Builder
		for sc.Scan() {
			line := sc.Text()
			switch {
			case strings.HasPrefix(line, "data:"):
				ev.WriteString(strings.TrimPrefix(line, "data:") + "\n")
			case line == "" && ev.Len() > 0:
				ch <- ev.String()
				ev.Reset()
			}
		}
	}()
	return ch, resp
}

// firstOf waits for a stream's first event.
func firstOf(t testing.TB, ch <-chan string, what string) string {
	t.Helper()
	select {
	case ev, ok := <-ch:
		if !ok {
			t.Fatalf("%s: the stream ended before its first event", what)
		}
		return ev
	case <-time.After(10 * time.Second):
		t.Fatalf("%s: no first event", what)
	}
	return ""
}

// endOf waits for a stream to end (events until then are dropped).
func endOf(t testing.TB, ch <-chan string, what string) {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case _, ok := <-ch:
			if !ok {
				return
			}
		case <-timeout:
			t.Fatalf("%s: the stream is still open", what)
		}
	}
}

// waitEvent waits for an event containing want.
func waitEvent(t testing.TB, ch <-chan string, want string) {
	t.Helper()
	timeout := time.After(30 * time.Second)
	for {
		select {
		case ev, ok := <-ch:
			if !ok {
				t.Fatalf("the stream ended before %q", want)
			}
			if strings.Contains(ev, want) {
				return
			}
		case <-timeout:
			t.Fatalf("no event with %q", want)
		}
	}
}

// attached waits until the hub has attached the connection: session.ack
// goes out first (the send loop starts before the attach), and a test that
// types or manages the session right after it would race the attach.
func (w *testWrap) attached(timeout <-chan time.Time) {
	w.t.Helper()
	for !w.hub.Connected(w.sid) {
		select {
		case <-timeout:
			w.t.Fatal("session.ack came but the hub never attached the connection")
		case <-time.After(time.Millisecond): // polling interval, not synchronisation
		}
	}
}
