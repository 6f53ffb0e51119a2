package hub

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ct-dev/ct/db"
	"github.com/ct-dev/ct/wire"
)

// waitLimit bounds every wait on the hub; reaching it is a failure (a lost
// event or a deadlock), never a timing assertion.
const waitLimit = 10 * time.Second

// fakeTransport is an in-memory wrap connection: the test plays the wrap.
type fakeTransport struct {
	toHub   chan wire.Envelope // what the wrap sends
	fromHub chan wire.Envelope // what the hub writes
	closed  chan struct{}
	once    sync.Once
	buf     []byte // the last Read's Data, reused (one reader)
}

func newTransport() *fakeTransport {
	return &fakeTransport{toHub: make(chan wire.Envelope, 1024), fromHub: make(chan wire.Envelope, 1024), closed: make(chan struct{})}
}

var errClosed = errors.New("transport closed")

func (t *fakeTransport) Read(ctx context.Context) (wire.Envelope, error) {
	select {
	case e := <-t.toHub:
		// Like the real socket (handlers.wsTransport): the bytes are in one
		// buffer the next Read overwrites, so a hub that keeps Data without
		// copying it (Transport.Read) stores or shows the wrong bytes.
		if e.Data != nil {
			t.buf = append(t.buf[:0], e.Data...)
			e.Data = t.buf
		}
		return e, nil
	case <-t.closed:
		return wire.Envelope{}, errClosed
	case <-ctx.Done():
		return wire.Envelope{}, ctx.Err()
	}
}

func (t *fakeTransport) Write(ctx context.Context, e wire.Envelope) error {
	select {
	case t.fromHub <- e:
		return nil
	case <-t.closed:
		return errClosed
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (t *fakeTransport) close() { t.once.Do(func() { close(t.closed) }) }

// recv returns the next envelope the hub wrote, skipping other types when
// want is set.
func (t *fakeTransport) recv(tb testing.TB, want string) wire.Envelope {
	tb.Helper()
	deadline := time.After(waitLimit)
	for {
		select {
		case e := <-t.fromHub:
			if want == "" || e.Type == want {
				return e
			}
		case <-deadline:
			tb.Fatalf("no %q from the hub", want)
		}
	}
}

// recorder is a Listener that keeps screen updates in order.
type recorder struct {
	screens chan ScreenUpdate
}

func (r *recorder) ScreenChanged(_ string, u ScreenUpdate) {
	select {
	case r.screens <- u:
	default:
		panic("test listener full") // the test must read what it asks for
	}
}
func (r *recorder) LobbyChanged()                                        {}
func (r *recorder) PromptsChanged(string, string)                        {}
func (r *recorder) WheelChanged(string)                                  {}
func (r *recorder) TranscriptAdded(string, uint64, wire.TranscriptEntry) {}

func (r *recorder) next(tb testing.TB) ScreenUpdate {
	tb.Helper()
	select {
	case u := <-r.screens:
		return u
	case <-time.After(waitLimit):
		tb.Fatal("no screen update")
		return ScreenUpdate{}
	}
}

// testHub is a hub on a real store in a temp dir.
type testHub struct {
	*Hub
	store *db.Store
	rec   *recorder
	wg    sync.WaitGroup

	mu         sync.Mutex
	transports []*fakeTransport // closed at cleanup, so a failed test never hangs
}

func newTestHub(t *testing.T) *testHub { return newTestHubAt(t, t.TempDir()) }

func (th *testHub) closeAll() {
	th.mu.Lock()
	defer th.mu.Unlock()
	for _, t := range th.transports {
		t.close()
	}
}

// serve runs ServeWrap on a new transport; its result arrives on the channel.
func (th *testHub) serve() (*fakeTransport, <-chan error) { return th.serveAuth(WrapAuth{}) }

// serveAuth is serve with the connection's credentials.
func (th *testHub) serveAuth(a WrapAuth) (*fakeTransport, <-chan error) {
	t := newTransport()
	th.mu.Lock()
	th.transports = append(th.transports, t)
	th.mu.Unlock()
	done := make(chan error, 1)
	th.wg.Add(1)
	go func() {
		defer th.wg.Done()
		done <- th.ServeWrap(context.Background(), t, a)
	}()
	return t, done
}

func envelope(tb testing.TB, typ string, p any) wire.Envelope {
	tb.Helper()
	e, err := wire.New(typ, p)
	if err != nil {
		tb.Fatal(err)
	}
	return e
}

// connect plays a wrap's handshake and returns the hub's session.ack seq.
func (th *testHub) connect(tb testing.TB, sid string) (*fakeTransport, <-chan error, uint64) {
	tb.Helper()
	return th.connectAs(tb, sid, wire.SessionStart{Command: "bash", Cwd: "/tmp", Cols: 40, Rows: 5, StartedAt: time.Now().UTC()})
}

// connectAs is connect with the wrap's own session.start.
func (th *testHub) connectAs(tb testing.TB, sid string, ss wire.SessionStart) (*fakeTransport, <-chan error, uint64) {
	tb.Helper()
	t, done := th.serve()
	t.toHub <- envelope(tb, wire.TypeNodeHello, wire.Hello{Node: "box", Hostname: "box.lan", User: "ann", OS: "linux", Version: "test"})
	start := envelope(tb, wire.TypeSessionStart, ss)
	start.SessionID = sid
	t.toHub <- start
	ack := t.recv(tb, "")
	if ack.Type != wire.TypeSessionAck {
		tb.Fatalf("hub answered the handshake with %s", ack.Type)
	}
	var sa wire.SessionAck
	if err := ack.Decode(&sa); err != nil {
		tb.Fatal(err)
	}
	// The ack goes out before the connection is attached (the send loop
	// starts first, connect_input_test.go): wait for the attach, as a page
	// waits for "live", before the test types into the session.
	for deadline := time.Now().Add(waitLimit); !th.Connected(sid); {
		if time.Now().After(deadline) {
			tb.Fatalf("session %s never attached after its ack", sid)
		}
		time.Sleep(time.Millisecond) // polling interval, not synchronisation
	}
	return t, done, sa.Seq
}

func output(seq uint64, s string) wire.Envelope {
	return wire.Envelope{V: wire.Version, Type: wire.TypePtyOutput, Seq: seq, TS: time.Now().UTC(), Data: []byte(s)}
}

// waitAck reads acks until one covers seq, checking at every ack that what
// it covers is already in the store.
func (th *testHub) waitAck(tb testing.TB, t *fakeTransport, sid string, seq uint64) {
	tb.Helper()
	for {
		a := t.recv(tb, wire.TypeAck)
		ss, err := th.store.GetSession(sid)
		if err != nil {
			tb.Fatal(err)
		}
		if ss.LastSeq < a.Seq {
			tb.Fatalf("hub acked seq %d while the store holds only up to %d", a.Seq, ss.LastSeq)
		}
		if a.Seq >= seq {
			return
		}
	}
}

// logBytes returns the stored output of sid, concatenated.
func (th *testHub) logBytes(tb testing.TB, sid string) string {
	tb.Helper()
	var b strings.Builder
	var last uint64
	err := th.store.ReadLog(sid, 0, func(e wire.Envelope) error {
		if e.Seq <= last {
			tb.Fatalf("log seq %d after %d", e.Seq, last)
		}
		last = e.Seq
		if e.Type == wire.TypePtyOutput {
			b.Write(e.Data)
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return b.String()
}

// waitScreen polls the screen text until it satisfies ok.
func (th *testHub) waitScreen(tb testing.TB, sid string, ok func(string) bool) string {
	tb.Helper()
	deadline := time.Now().Add(waitLimit)
	for {
		txt, err := th.ScreenText(sid)
		if err != nil {
			tb.Fatal(err)
		}
		if ok(txt) {
			return txt
		}
		if time.Now().After(deadline) {
			tb.Fatalf("screen never got there; it shows %q", txt)
		}
		time.Sleep(5 * time.Millisecond) // polling interval, not synchronisation
	}
}

// finish ends a connection and waits for ServeWrap to return.
func finish(tb testing.TB, t *fakeTransport, done <-chan error) error {
	tb.Helper()
	t.close()
	select {
	case err := <-done:
		return err
	case <-time.After(waitLimit):
		tb.Fatal("ServeWrap did not return after its transport closed")
		return nil
	}
}

func TestHandshakeValidation(t *testing.T) {
	th := newTestHub(t)
	hello := envelope(t, wire.TypeNodeHello, wire.Hello{Node: "box"})
	start := func(id string) wire.Envelope {
		e := envelope(t, wire.TypeSessionStart, wire.SessionStart{Command: "bash", Cols: 80, Rows: 24})
		e.SessionID = id
		return e
	}
	cases := []struct {
		name string
		send []wire.Envelope
		want string
	}{
		{"start before hello", []wire.Envelope{start("sess-0001")}, "expected node.hello first"},
		{"output first", []wire.Envelope{output(1, "x")}, "expected node.hello first"},
		{"no node name", []wire.Envelope{envelope(t, wire.TypeNodeHello, wire.Hello{})}, "node name"},
		{"hello without payload", []wire.Envelope{{V: 1, Type: wire.TypeNodeHello}}, "no payload"},
		{"output second", []wire.Envelope{hello, output(1, "x")}, "expected session.start second"},
		{"short id", []wire.Envelope{hello, start("abc")}, "session id"},
		{"no id", []wire.Envelope{hello, start("")}, "session id"},
		{"slash in id", []wire.Envelope{hello, start("../../etc/passwd")}, "session id"},
		{"long id", []wire.Envelope{hello, start(strings.Repeat("a", 65))}, "session id"},
	}
	for _, c := range cases {
		tr, done := th.serve()
		for _, e := range c.send {
			tr.toHub <- e
		}
		var err error
		select {
		case err = <-done:
		case <-time.After(waitLimit):
			t.Fatalf("%s: ServeWrap did not refuse", c.name)
		}
		tr.close()
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.want)
		}
	}
	if all, _ := th.store.Sessions(); len(all) != 0 {
		t.Fatalf("refused handshakes created sessions: %+v", all)
	}
}

func TestEventsStoredThenAcked(t *testing.T) {
	th := newTestHub(t)
	tr, done, acked := th.connect(t, "sess-store1")
	if acked != 0 {
		t.Fatalf("new session acked at %d", acked)
	}
	var want strings.Builder
	for i := uint64(1); i <= 200; i++ {
		s := fmt.Sprintf("line %d\r\n", i)
		want.WriteString(s)
		tr.toHub <- output(i, s)
	}
	th.waitAck(t, tr, "sess-store1", 200)
	if got := th.logBytes(t, "sess-store1"); got != want.String() {
		t.Fatalf("store holds %d bytes, want %d", len(got), want.Len())
	}
	ss, _ := th.store.GetSession("sess-store1")
	if ss.Status != db.StatusLive || ss.Node != "box" || ss.Command != "bash" || ss.OutputBytes != int64(want.Len()) {
		t.Fatalf("session record: %+v", ss)
	}
	if !th.NodeOnline("box") {
		t.Fatal("node not online while connected")
	}
	// The end of the program is recorded with its exit code.
	end := envelope(t, wire.TypeSessionEnd, wire.SessionEnd{ExitCode: 7, EndedAt: time.Now().UTC()})
	end.Seq = 201
	tr.toHub <- end
	th.waitAck(t, tr, "sess-store1", 201)
	if err := finish(t, tr, done); !errors.Is(err, errClosed) {
		t.Fatalf("ServeWrap ended with %v", err)
	}
	ss, _ = th.store.GetSession("sess-store1")
	if ss.Status != db.StatusEnded || ss.ExitCode == nil || *ss.ExitCode != 7 {
		t.Fatalf("after end: status %s exit %v", ss.Status, ss.ExitCode)
	}
	if th.NodeOnline("box") {
		t.Fatal("node still online after its only wrap left")
	}
}

func TestDisconnectMarksOffline(t *testing.T) {
	th := newTestHub(t)
	tr, done, _ := th.connect(t, "sess-offline")
	tr.toHub <- output(1, "hi")
	th.waitAck(t, tr, "sess-offline", 1)
	finish(t, tr, done)
	if ss, _ := th.store.GetSession("sess-offline"); ss.Status != db.StatusOffline {
		t.Fatalf("status %s after disconnect", ss.Status)
	}
	if err := th.Input("sess-offline", []byte("x")); !errors.Is(err, ErrOffline) {
		t.Fatalf("input to an offline session: %v, want ErrOffline", err)
	}
	if err := th.Resize("sess-offline", 80, 24); !errors.Is(err, ErrOffline) {
		t.Fatalf("resize of an offline session: %v, want ErrOffline", err)
	}
	if err := th.Input("sess-unknown", []byte("x")); !errors.Is(err, ErrNotFound) {
		t.Fatalf("input to an unknown session: %v, want ErrNotFound", err)
	}
	// The wrap comes back: the session is live again and resumes at seq 1.
	tr2, done2, acked := th.connect(t, "sess-offline")
	if acked != 1 {
		t.Fatalf("reconnect acked at %d, want 1", acked)
	}
	// The wrap hears session.ack as soon as its connection is taken (the
	// send loop starts first, connect_input_test.go); live follows.
	deadline := time.Now().Add(waitLimit)
	for ss, _ := th.store.GetSession("sess-offline"); ss.Status != db.StatusLive; ss, _ = th.store.GetSession("sess-offline") {
		if time.Now().After(deadline) {
			t.Fatalf("status %s after reconnect", ss.Status)
		}
		time.Sleep(time.Millisecond) // polling interval, not synchronisation
	}
	finish(t, tr2, done2)
}

// TestResendNeverDoubles: a wrap reconnects and resends everything it has
// not seen acked, which the hub may already hold (stored, or queued for the
// store). Nothing may appear twice in the store or on the screen.
func TestResendNeverDoubles(t *testing.T) {
	th := newTestHub(t)
	const sid = "sess-resend"
	tr, done, _ := th.connect(t, sid)
	for i := uint64(1); i <= 3; i++ {
		tr.toHub <- output(i, fmt.Sprintf("L%d\r\n", i))
	}
	th.waitAck(t, tr, sid, 3)
	// 4 and 5 arrive; the connection drops before the wrap sees their ack.
	tr.toHub <- output(4, "L4\r\n")
	tr.toHub <- output(5, "L5\r\n")
	th.waitScreen(t, sid, func(s string) bool { return strings.Contains(s, "L5") })
	finish(t, tr, done)

	// The new connection: the hub answers with what it holds durably; the
	// wrap, to be safe, resends from 1 (as if it never saw any ack) and adds 6.
	tr2, done2, acked := th.connect(t, sid)
	if acked < 3 || acked > 5 {
		t.Fatalf("reconnect acked at %d, want 3..5", acked)
	}
	for i := uint64(1); i <= 5; i++ {
		tr2.toHub <- output(i, fmt.Sprintf("L%d\r\n", i))
	}
	tr2.toHub <- output(6, "L6\r\n")
	th.waitAck(t, tr2, sid, 6)
	want := "L1\r\nL2\r\nL3\r\nL4\r\nL5\r\nL6\r\n"
	if got := th.logBytes(t, sid); got != want {
		t.Fatalf("store holds %q, want %q", got, want)
	}
	txt := th.waitScreen(t, sid, func(s string) bool { return strings.Contains(s, "L6") })
	// 5 rows: L3..L6 and the cursor's empty row; L1, L2 scrolled off.
	if txt != "L3\nL4\nL5\nL6\n" {
		t.Fatalf("screen shows %q, want L3..L6 once each", txt)
	}
	snap, err := th.Screen(sid)
	if err != nil {
		t.Fatal(err)
	}
	var hist []string
	for _, h := range snap.History {
		hist = append(hist, h.Text())
	}
	if strings.Join(hist, "|") != "L1|L2" || snap.Session.OutputBytes != int64(len(want)) {
		t.Fatalf("history %q output bytes %d", hist, snap.Session.OutputBytes)
	}
	finish(t, tr2, done2)
}

// TestSecondConnectionReplacesFirst: a wrap that reconnects before the hub
// noticed its old connection died takes over; the old one is ended.
func TestSecondConnectionReplacesFirst(t *testing.T) {
	th := newTestHub(t)
	const sid = "sess-replace"
	tr1, done1, _ := th.connect(t, sid)
	tr1.toHub <- output(1, "one ")
	tr1.toHub <- output(2, "two ")
	th.waitAck(t, tr1, sid, 2)
	tr2, done2, acked := th.connect(t, sid)
	if acked != 2 {
		t.Fatalf("second connection acked at %d, want 2", acked)
	}
	select {
	case err := <-done1:
		if err == nil {
			t.Fatal("old connection ended without an error")
		}
	case <-time.After(waitLimit):
		t.Fatal("old connection not ended")
	}
	tr1.close()
	tr2.toHub <- output(2, "two ")
	tr2.toHub <- output(3, "three")
	th.waitAck(t, tr2, sid, 3)
	if got := th.logBytes(t, sid); got != "one two three" {
		t.Fatalf("store holds %q", got)
	}
	th.waitScreen(t, sid, func(s string) bool { return s == "one two three\n" })
	// The old connection leaving did not mark the live session offline.
	if ss, _ := th.store.GetSession(sid); ss.Status != db.StatusLive {
		t.Fatalf("status %s while the second connection is live", ss.Status)
	}
	if err := th.Input(sid, []byte("x")); err != nil {
		t.Fatalf("input after takeover: %v", err)
	}
	if e := tr2.recv(t, wire.TypePtyInput); string(e.Data) != "x" {
		t.Fatalf("input went elsewhere: %q", e.Data)
	}
	finish(t, tr2, done2)
}

func TestInputReachesWrap(t *testing.T) {
	th := newTestHub(t)
	tr, done, _ := th.connect(t, "sess-input")
	if err := th.Input("sess-input", []byte("ls -l\r")); err != nil {
		t.Fatal(err)
	}
	e := tr.recv(t, wire.TypePtyInput)
	if string(e.Data) != "ls -l\r" || e.SessionID != "sess-input" {
		t.Fatalf("wrap got %q for %s", e.Data, e.SessionID)
	}
	keys, err := Keys([]string{"Ctrl-C", "Up", "Enter"})
	if err != nil {
		t.Fatal(err)
	}
	if err := th.Input("sess-input", keys); err != nil {
		t.Fatal(err)
	}
	if e := tr.recv(t, wire.TypePtyInput); string(e.Data) != "\x03\x1b[A\r" {
		t.Fatalf("keys arrived as %q", e.Data)
	}
	if err := th.Resize("sess-input", 100, 30); err != nil {
		t.Fatal(err)
	}
	var r wire.Resize
	if e := tr.recv(t, wire.TypePtyResize); e.Decode(&r) != nil || r.Cols != 100 || r.Rows != 30 {
		t.Fatalf("resize arrived as %+v", r)
	}
	if err := th.Resize("sess-input", 1, 30); err == nil {
		t.Fatal("a 1-column resize was accepted")
	}
	if err := th.Input("sess-input", make([]byte, MaxInput+1)); err == nil {
		t.Fatal("oversized input accepted")
	}
	if err := th.Input("sess-input", nil); err != nil {
		t.Fatalf("empty input: %v", err)
	}
	finish(t, tr, done)
}

func TestKeys(t *testing.T) {
	cases := map[string]string{
		"Enter": "\r", "Esc": "\x1b", "Tab": "\t", "Backspace": "\x7f", "Space": " ",
		"Ctrl-C": "\x03", "Ctrl-D": "\x04", "Ctrl-Z": "\x1a", "Ctrl-L": "\x0c", "Ctrl-R": "\x12",
		"Up": "\x1b[A", "Down": "\x1b[B", "Right": "\x1b[C", "Left": "\x1b[D",
		"Home": "\x1b[H", "End": "\x1b[F", "PageUp": "\x1b[5~", "PageDown": "\x1b[6~", "Shift-Tab": "\x1b[Z",
		"0": "0", "9": "9", "a": "a", "Y": "Y", "/": "/",
	}
	for name, want := range cases {
		got, err := Keys([]string{name})
		if err != nil || string(got) != want {
			t.Errorf("Keys(%q) = %q, %v; want %q", name, got, err, want)
		}
	}
	got, err := Keys([]string{"1", "Enter", "Esc", "q"})
	if err != nil || string(got) != "1\r\x1bq" {
		t.Errorf("sequence: %q %v", got, err)
	}
	for _, bad := range []string{"Ctrl-X", "enter", "", "ab", "\x00", "é"} {
		if _, err := Keys([]string{"a", bad}); err == nil || !strings.Contains(err.Error(), "Enter") {
			t.Errorf("Keys(%q): %v, want an error listing the known keys", bad, err)
		}
	}
	// Every name KeyNames offers (ranges aside) is accepted.
	for _, n := range KeyNames() {
		if strings.Contains(n, "-") && len(n) == 3 { // "0-9", "a-z"
			continue
		}
		if _, err := Keys([]string{n}); err != nil {
			t.Errorf("KeyNames lists %q but Keys refuses it: %v", n, err)
		}
	}
}

func rowsText(u ScreenUpdate) string {
	var b strings.Builder
	for i := range u.NumRows {
		b.WriteString(u.Rows[i].Text())
		b.WriteByte('\n')
	}
	return b.String()
}

func TestScreenUpdatesOnlyWhileWatched(t *testing.T) {
	th := newTestHub(t)
	const sid = "sess-watch"
	tr, done, _ := th.connect(t, sid)
	tr.toHub <- output(1, "before")
	th.waitScreen(t, sid, func(s string) bool { return strings.Contains(s, "before") })
	select {
	case u := <-th.rec.screens:
		t.Fatalf("update published with no watcher: %+v", u)
	default:
	}

	// A new watcher gets the whole screen at once.
	th.Watch(sid, +1)
	u := th.rec.next(t)
	if !u.Full || u.NumRows != 5 || len(u.Rows) != 5 || !strings.Contains(u.Rows[0].Text(), "before") {
		t.Fatalf("first update for a watcher: full %v rows %d %v", u.Full, u.NumRows, u.Rows)
	}
	// Then only what changed.
	tr.toHub <- output(2, "\r\nafter")
	for {
		u = th.rec.next(t)
		if u.Full {
			t.Fatalf("a full update with no new watcher: %+v", u)
		}
		// Row 0 changes (the cursor leaves it), row 1 gets the text; the
		// blank rows below do not change and are not sent.
		for i := 2; i < u.NumRows; i++ {
			if _, ok := u.Rows[i]; ok {
				t.Fatalf("unchanged row %d resent: %v", i, u.Rows)
			}
		}
		if strings.Contains(u.Rows[1].Text(), "after") {
			break
		}
	}
	// Unwatched again: output changes the screen but publishes nothing.
	th.Watch(sid, -1)
	tr.toHub <- output(3, "\r\nunseen")
	th.waitScreen(t, sid, func(s string) bool { return strings.Contains(s, "unseen") })
	// A second watcher arrives: its first update is full and shows the output
	// made while nobody watched; any update sent in between would come first.
	th.Watch(sid, +1)
	u = th.rec.next(t)
	if !u.Full || !strings.Contains(rowsText(u), "unseen") {
		t.Fatalf("update after re-watch: full %v %q", u.Full, rowsText(u))
	}
	th.Watch(sid, -1)
	finish(t, tr, done)
}

// TestScreenAfterRestart: a hub started on a store with a session's log
// rebuilds its screen from the log.
func TestScreenAfterRestart(t *testing.T) {
	dir := t.TempDir()
	store, err := db.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	h, err := New(store, log, Options{})
	if err != nil {
		t.Fatal(err)
	}
	th := &testHub{Hub: h, store: store, rec: &recorder{screens: make(chan ScreenUpdate, 100)}}
	tr, done, _ := th.connect(t, "sess-restart")
	tr.toHub <- output(1, "\x1b[31mkept\x1b[0m across restarts")
	th.waitAck(t, tr, "sess-restart", 1)
	finish(t, tr, done)
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	if err := h.Close(ctx); err != nil {
		t.Fatal(err)
	}
	store.Close()

	th2 := newTestHubAt(t, dir)
	txt, err := th2.ScreenText("sess-restart")
	if err != nil {
		t.Fatal(err)
	}
	if txt != "kept across restarts\n" {
		t.Fatalf("screen after restart: %q", txt)
	}
	if ss, _ := th2.store.GetSession("sess-restart"); ss.Status != db.StatusOffline {
		t.Fatalf("status after restart %s, want offline", ss.Status)
	}
}

// newTestHubAt starts a hub on the store in dir, closed when the test ends.
func newTestHubAt(t *testing.T, dir string) *testHub { return newTestHubOn(t, dir, nil) }

// newTestHubOn is newTestHubAt whose writer stores through wrap(store)
// (nil: the store itself).
func newTestHubOn(t *testing.T, dir string, wrap func(*db.Store) appender) *testHub {
	t.Helper()
	return newTestHubOpts(t, dir, wrap, Options{})
}

// newTestHubOpts is newTestHubOn with the hub's options.
func newTestHubOpts(t *testing.T, dir string, wrap func(*db.Store) appender, opts Options) *testHub {
	t.Helper()
	store, err := db.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	var app appender = store
	if wrap != nil {
		app = wrap(store)
	}
	h, err := newHub(store, app, slog.New(slog.NewTextHandler(io.Discard, nil)), opts)
	if err != nil {
		t.Fatal(err)
	}
	th := &testHub{Hub: h, store: store, rec: &recorder{screens: make(chan ScreenUpdate, 1000)}}
	h.SetListener(th.rec)
	t.Cleanup(func() {
		th.closeAll()
		th.wg.Wait()
		ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
		defer cancel()
		if err := h.Close(ctx); err != nil {
			t.Error(err)
		}
		store.Close()
	})
	return th
}

// TestUnstorableEventRefused: an event the store cannot take (here a payload
// that fits the wire's header limit only until the hub adds the session id)
// must be refused on arrival. Accepted, it fails the whole batch, and every
// session in the batch loses events: the hub has counted them as received,
// so the wraps' resends are dropped as duplicates.
func TestUnstorableEventRefused(t *testing.T) {
	th := newTestHub(t)
	const sid = "sess-poison"
	tr, done, _ := th.connect(t, sid)
	tr.toHub <- output(1, "a")
	th.waitAck(t, tr, sid, 1)
	// A payload that makes the header just fit MaxHeader without a session id.
	poison := output(2, "b")
	for pad := wire.MaxHeader - 200; ; pad++ {
		poison.Payload = []byte(`"` + strings.Repeat("x", pad) + `"`)
		b, err := wire.Marshal(poison)
		if err != nil {
			t.Fatalf("no padding fits: %v", err)
		}
		if len(b)-len(poison.Data) > wire.MaxHeader-10 {
			break
		}
	}
	tr.toHub <- poison
	tr.toHub <- output(3, "c")
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("the connection ended without an error")
		}
	case <-time.After(waitLimit):
		t.Fatal("an unstorable event did not end the connection")
	}
	tr.close()
	// The wrap reconnects and resends what was not acked, this time sane.
	tr2, done2, acked := th.connect(t, sid)
	if acked != 1 {
		t.Fatalf("reconnect acked at %d, want 1", acked)
	}
	tr2.toHub <- output(2, "b")
	tr2.toHub <- output(3, "c")
	th.waitAck(t, tr2, sid, 3)
	if got := th.logBytes(t, sid); got != "abc" {
		t.Fatalf("store holds %q, want abc", got)
	}
	finish(t, tr2, done2)
}
