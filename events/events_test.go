package events

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ct-dev/ct/db"
	"github.com/ct-dev/ct/hub"
)

func openStore(t *testing.T) *db.Store {
	t.Helper()
	s, err := db.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// fakeStates is the hub's State for tests: set per session.
type fakeStates struct {
	mu sync.Mutex
	m  map[string]string
}

func (f *fakeStates) set(id, st string) { f.mu.Lock(); f.m[id] = st; f.mu.Unlock() }
func (f *fakeStates) state(ss db.Session) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.m[ss.ID]
}

// next reads one event from sub or fails.
func next(t *testing.T, sub *Sub) Event {
	t.Helper()
	select {
	case rec := <-sub.C:
		var e Event
		if err := json.Unmarshal(rec.Body, &e); err != nil || e.ID != rec.ID || e.Type != rec.Type {
			t.Fatalf("record %+v does not match its body (%v)", rec, err)
		}
		return e
	case <-time.After(5 * time.Second):
		t.Fatal("no event")
	}
	return Event{}
}

// pair reads the next two events, which must be one of type a and one of
// type b, and returns them as (a, b). The recorder takes prompt and lobby
// changes from two queues, so a duplicate still queued in one (the test
// tells some changes twice) can make its state check run before the
// other's prompt read: the two events of one step come in either order.
func pair(t *testing.T, sub *Sub, a, b string) (Event, Event) {
	t.Helper()
	x, y := next(t, sub), next(t, sub)
	if x.Type != a {
		x, y = y, x
	}
	if x.Type != a || y.Type != b {
		t.Fatalf("got %s and %s, want %s and %s", x.Type, y.Type, a, b)
	}
	return x, y
}

// The recorder announces a session's start, its state changes (working
// folded into idle), a prompt opened once and settled once with who and
// how, and the session's end, in that order (a prompt and the state it
// causes as a pair, see pair).
func TestRecorderLifecycle(t *testing.T) {
	store := openStore(t)
	st := &fakeStates{m: map[string]string{}}
	r := NewRecorder(Deps{Store: store, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), State: st.state, Keep: 100})
	defer r.Close()
	sub, _ := r.Broker().Subscribe()

	if _, err := store.UpsertSession(db.Session{ID: "s1", Node: "box", Command: "claude", Status: db.StatusLive, StartedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	st.set("s1", hub.StateWorking)
	r.LobbyChanged()
	if e := next(t, sub); e.Type != SessionStarted || e.Session.State != hub.StateIdle || e.Node != "box" {
		t.Fatalf("first event %+v, want session.started idle", e)
	}
	r.LobbyChanged() // nothing changed: no event
	p := db.Prompt{ID: "p1", SessionID: "s1", Node: "box", Tool: "Bash", Kind: "hook", State: db.PromptPending, CreatedAt: time.Now()}
	if err := store.PutPrompt(p); err != nil {
		t.Fatal(err)
	}
	st.set("s1", hub.StateWaitingApproval)
	r.PromptsChanged("s1", "p1")
	r.PromptsChanged("s1", "p1") // told twice: announced once
	opened, waiting := pair(t, sub, PromptOpened, SessionState)
	if opened.Prompt.ID != "p1" {
		t.Fatalf("got %+v, want prompt.opened", opened)
	}
	if waiting.Session.State != hub.StateWaitingApproval || waiting.Session.PrevState != hub.StateIdle {
		t.Fatalf("got %+v, want session.state idle -> waiting_approval", waiting.Session)
	}
	if _, err := store.UpdatePrompt("p1", func(p *db.Prompt) error {
		p.State, p.Decision, p.DecidedBy, p.Device, p.DecidedAt = db.PromptDenied, "deny", "alice from phone", "phone", time.Now()
		p.Message = "not on main"
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	st.set("s1", hub.StateIdle)
	r.PromptsChanged("s1", "p1")
	e, back := pair(t, sub, PromptSettled, SessionState)
	if e.Prompt.By != "alice" || e.Prompt.Via != "web" || e.Prompt.Decision != "deny" || e.Prompt.Message != "not on main" {
		t.Fatalf("got %+v, want prompt.settled denied by alice via web", e.Prompt)
	}
	if back.Session.State != hub.StateIdle {
		t.Fatalf("got %+v, want session.state back to idle", back)
	}
	r.PromptsChanged("s1", "p1") // touched again after settling: no repeat
	if err := store.SetSessionStatus("s1", db.StatusEnded); err != nil {
		t.Fatal(err)
	}
	st.set("s1", hub.StateEnded)
	r.LobbyChanged()
	if e := next(t, sub); e.Type != SessionEnded || e.Session.PrevState != hub.StateIdle {
		t.Fatalf("got %+v, want session.ended", e)
	}
	select {
	case rec := <-sub.C:
		t.Fatalf("an extra event: %s", rec.Body)
	default:
	}
}

// How a settled prompt was settled.
func TestVia(t *testing.T) {
	for _, c := range []struct {
		p    db.Prompt
		want string
	}{
		{db.Prompt{State: db.PromptAllowed, Device: "phone"}, "web"},
		{db.Prompt{State: db.PromptAllowed, Device: "api"}, "api"},
		{db.Prompt{State: db.PromptAllowed, Scope: "rule"}, "rule"},
		{db.Prompt{State: db.PromptClosed, ClosedBy: "terminal"}, "terminal"},
		{db.Prompt{State: db.PromptClosed, ClosedBy: "agent"}, "hook"},
		{db.Prompt{State: db.PromptClosed, ClosedBy: "disconnected"}, "hub"},
	} {
		if got := via(c.p); got != c.want {
			t.Errorf("via(%+v) = %s, want %s", c.p, got, c.want)
		}
	}
}

// A signature verifies with its secret and timestamp only, and not once
// the timestamp is older than MaxSkew.
func TestSignVerify(t *testing.T) {
	body := []byte(`{"id":1}`)
	now := time.Now()
	sig := Sign("s3cret", now.Unix(), body)
	ts := func(t time.Time) string { return strconv.FormatInt(t.Unix(), 10) }
	if err := Verify("s3cret", sig, ts(now), body, now); err != nil {
		t.Fatal(err)
	}
	for name, err := range map[string]error{
		"wrong secret": Verify("other", sig, ts(now), body, now),
		"changed body": Verify("s3cret", sig, ts(now), []byte(`{"id":2}`), now),
		"other time":   Verify("s3cret", sig, ts(now.Add(time.Second)), body, now),
		"replayed":     Verify("s3cret", sig, ts(now), body, now.Add(MaxSkew+time.Second)),
	} {
		if err == nil {
			t.Errorf("%s: verified", name)
		}
	}
}

// Retries double from RetryMin up to RetryMax.
func TestBackoff(t *testing.T) {
	s := &Sender{o: SenderOptions{RetryMin: time.Second, RetryMax: 10 * time.Second}}
	want := []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 10 * time.Second, 10 * time.Second}
	for i, w := range want {
		if got := s.backoff(i + 1); got != w {
			t.Errorf("backoff(%d) = %s, want %s", i+1, got, w)
		}
	}
}

// One webhook's deliveries go out in order, each after the one before is
// delivered; a failed attempt is retried, and the log counts attempts.
func TestSenderOrderAndRetry(t *testing.T) {
	store := openStore(t)
	var mu sync.Mutex
	var got []string
	fails := 1
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		defer mu.Unlock()
		if fails > 0 {
			fails--
			w.WriteHeader(503)
			return
		}
		got = append(got, string(b))
	}))
	defer srv.Close()
	if err := store.PutWebhook(db.Webhook{ID: "w1", URL: srv.URL, Secret: "x"}); err != nil {
		t.Fatal(err)
	}
	for _, b := range []string{`"a"`, `"b"`, `"c"`} {
		if _, err := store.AppendEvent(SessionState, "box", func(uint64) ([]byte, error) { return []byte(b), nil }); err != nil {
			t.Fatal(err)
		}
	}
	s := NewSender(SenderOptions{Store: store, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Client: srv.Client(), RetryMin: time.Millisecond, RetryMax: 5 * time.Millisecond, Attempts: 3})
	defer s.Close()
	// The receiver has the body before the sender stores "delivered": wait
	// for both, or the log is read while the last delivery is still pending.
	deadline := time.Now().Add(10 * time.Second)
	var log []db.Delivery
	for {
		mu.Lock()
		n := len(got)
		mu.Unlock()
		log, _ = store.Deliveries("w1", 10)
		if n == 3 && len(log) == 3 && log[0].State == db.DeliveryDelivered {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("delivered %d of 3; log %+v", n, log)
		}
		time.Sleep(5 * time.Millisecond)
	}
	if strings.Join(got, "") != `"a""b""c"` {
		t.Errorf("delivered %v, want a, b, c in order", got)
	}
	if len(log) != 3 || log[2].Attempts != 2 || log[0].Attempts != 1 || log[0].State != db.DeliveryDelivered {
		t.Errorf("log %+v, want the first delivered after 2 attempts, the others after 1", log)
	}
}
