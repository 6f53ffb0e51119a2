package e2e

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ct-dev/ct/events"
)

// Events out (issue 21, item 3) with real ct serve and ct wrap processes:
// the JSON event stream and signed outbound webhooks.

// askScript asks a [y/N] question the hub sees as a prompt, echoes the
// answer and exits.
const askScript = `printf 'Ship it? [y/N] '; read a; echo "answer=$a"; sleep 0.2`

// wantOrder is the life of a session that asks once and is answered.
var wantOrder = []string{events.SessionStarted, events.PromptOpened, events.PromptSettled, events.SessionEnded}

// indexOf returns the positions of the first events of types, in order.
func indexOf(list []outEvent, sid string, types []string) []int {
	var out []int
	for _, typ := range types {
		i := slices.IndexFunc(list, func(e outEvent) bool { return e.Type == typ && e.Body.SessionID == sid })
		out = append(out, i)
	}
	return out
}

// The stream and a webhook receiver get a session's and its prompt's
// events in order, with ids that only grow, the receiver's signed; the
// settled prompt says who answered and how; a reader that resumes from an
// id gets exactly the events after it.
func TestEventsOutStreamAndWebhook(t *testing.T) {
	h := StartHub(t, t.TempDir(), "127.0.0.1:0", "--allow-private-webhooks")
	rc := startReceiver(t, 0)
	hookID, secret, code, errBody := addWebhook(t, h, `{"name":"ops","url":"`+rc.URL+`"}`)
	if code != 201 || !strings.HasPrefix(secret, "whsec_") {
		t.Fatalf("add webhook: %d %s", code, errBody)
	}
	stream := readEvents(t, h.URL, h.Token, "")

	w := StartWrap(t, nil, "--hub", h.URL, "--name", "evbox", "--", "bash", "-c", askScript)
	s := SessionFor(t, h.URL, "evbox")
	pid := accPending(t, h.URL, s.ID)
	if code, body, _ := accDo(t, "POST", h.URL+"/api/v1/prompts/"+pid+"/decision", accCred{bearer: h.Token}, `{"decision":"allow"}`, nil); code != 200 {
		t.Fatalf("approve: %d %s", code, body)
	}
	if c := w.Wait(t, 20*time.Second); c != 0 {
		t.Fatalf("wrap exit %d: %s", c, w.Stderr.String())
	}
	stream.waitType(t, events.SessionEnded, s.ID)

	got := stream.events()
	pos := indexOf(got, s.ID, wantOrder)
	for i := range pos {
		if pos[i] < 0 || (i > 0 && pos[i] < pos[i-1]) {
			t.Fatalf("stream order %v for %v; got %+v", pos, wantOrder, got)
		}
	}
	for i := 1; i < len(got); i++ {
		if got[i].ID <= got[i-1].ID {
			t.Fatalf("ids do not grow: %d after %d", got[i].ID, got[i-1].ID)
		}
	}
	settled := got[pos[2]].Body.Prompt
	if settled == nil || settled.ID != pid || settled.Decision != "allow" || settled.By != "admin" || settled.Via != "api" {
		t.Errorf("prompt.settled says %+v, want prompt %s allowed by admin via api", settled, pid)
	}
	if st := got[pos[0]].Body.Session; st == nil || st.Command == "" {
		t.Errorf("session.started has no session: %s", got[pos[0]].Raw)
	}

	// The webhook got the same events, in the same order, each signed.
	WaitFor(t, 20*time.Second, "the receiver to get session.ended", func() bool {
		return slices.ContainsFunc(rc.accepted(), func(r received) bool { return r.Event == events.SessionEnded })
	})
	var hookIDs []uint64
	for _, r := range rc.accepted() {
		if err := events.Verify(secret, r.Sig, r.TS, r.Body, time.Now()); err != nil {
			t.Fatalf("delivery %s does not verify: %v", r.Delivery, err)
		}
		if events.Verify("whsec_wrong", r.Sig, r.TS, r.Body, time.Now()) == nil {
			t.Fatal("a delivery verifies with the wrong secret")
		}
		var e events.Event
		_ = json.Unmarshal(r.Body, &e)
		if e.Type != r.Event {
			t.Errorf("header says %s, body %s", r.Event, e.Type)
		}
		hookIDs = append(hookIDs, e.ID)
	}
	var streamIDs []uint64
	for _, e := range got {
		streamIDs = append(streamIDs, e.ID)
	}
	if !slices.Equal(hookIDs, streamIDs) {
		t.Errorf("the webhook got events %v, the stream %v", hookIDs, streamIDs)
	}
	// The receiver has answered the newest delivery; the hub marks it
	// delivered just after, so wait for the log rather than read it once.
	var d []deliveryRow
	WaitFor(t, 10*time.Second, "the delivery log to record the newest delivery", func() bool {
		d = deliveries(t, h, hookID)
		return len(d) == len(hookIDs) && d[0].State == "delivered"
	})
	if d[0].Attempts != 1 {
		t.Errorf("delivery log %+v, want %d delivered at the first attempt", d, len(hookIDs))
	}

	// Resuming after the prompt opened gives exactly what followed.
	after := got[pos[1]].ID
	again := readEvents(t, h.URL, h.Token, strconv.FormatUint(after, 10))
	WaitFor(t, 10*time.Second, "the replay", func() bool { return len(again.events()) >= len(got)-pos[1]-1 })
	var want, replayed []uint64
	for _, e := range got[pos[1]+1:] {
		want = append(want, e.ID)
	}
	for _, e := range again.events() {
		replayed = append(replayed, e.ID)
	}
	if !slices.Equal(replayed, want) {
		t.Errorf("resumed after %d: got %v, want %v", after, replayed, want)
	}
}

// A receiver that fails twice and then accepts gets the event once, and
// the delivery log says delivered after 3 attempts.
func TestWebhookRetriesWithBackoff(t *testing.T) {
	h := StartHub(t, t.TempDir(), "127.0.0.1:0", "--allow-private-webhooks", "--webhook-retry-min", "50ms", "--webhook-retry-max", "200ms")
	rc := startReceiver(t, 2)
	id, _, code, errBody := addWebhook(t, h, `{"url":"`+rc.URL+`","types":["session.started"]}`)
	if code != 201 {
		t.Fatalf("add webhook: %d %s", code, errBody)
	}
	StartWrap(t, nil, "--hub", h.URL, "--name", "retrybox", "--", "bash", "-c", "echo hi; sleep 30")
	SessionFor(t, h.URL, "retrybox")
	WaitFor(t, 20*time.Second, "the third attempt to be accepted", func() bool { return len(rc.accepted()) == 1 })
	all := rc.all()
	if len(all) != 3 || all[0].Delivery != all[2].Delivery || all[0].Event != events.SessionStarted {
		t.Fatalf("requests %+v, want 3 attempts of one session.started delivery", all)
	}
	WaitFor(t, 10*time.Second, "the log to say delivered", func() bool {
		d := deliveries(t, h, id)
		return len(d) == 1 && d[0].State == "delivered"
	})
	if d := deliveries(t, h, id); d[0].Attempts != 3 {
		t.Errorf("delivery log %+v, want attempts=3", d)
	}
}

// Without --allow-private-webhooks a loopback address is refused when the
// webhook is saved, and a name that resolves to loopback is refused when
// the hub dials it: nothing reaches the receiver, the log says why.
func TestWebhookLoopbackRefused(t *testing.T) {
	h := StartHub(t, t.TempDir(), "127.0.0.1:0", "--webhook-attempts", "1")
	rc := startReceiver(t, 0)
	_, _, code, body := addWebhook(t, h, `{"url":"`+rc.URL+`"}`)
	if code != 400 || !strings.Contains(body, "--allow-private-webhooks") {
		t.Fatalf("a loopback webhook: %d %s, want 400 naming --allow-private-webhooks", code, body)
	}
	named := strings.Replace(rc.URL, "127.0.0.1", "localhost", 1)
	id, _, code, body := addWebhook(t, h, `{"url":"`+named+`","types":["session.started"]}`)
	if code != 201 {
		t.Fatalf("a webhook by name: %d %s", code, body)
	}
	StartWrap(t, nil, "--hub", h.URL, "--name", "lobox", "--", "bash", "-c", "echo hi; sleep 30")
	SessionFor(t, h.URL, "lobox")
	WaitFor(t, 20*time.Second, "the delivery to fail", func() bool {
		d := deliveries(t, h, id)
		return len(d) == 1 && d[0].State == "failed"
	})
	if d := deliveries(t, h, id); !strings.Contains(d[0].LastError, "loopback") {
		t.Errorf("the log says %q, want a refused loopback address", d[0].LastError)
	}
	if n := len(rc.all()); n != 0 {
		t.Errorf("the receiver got %d requests", n)
	}
}

// A member sees the events of the machines they are granted only, live
// and when resuming from the start.
func TestEventsOnlyGrantedMachines(t *testing.T) {
	h := StartHub(t, t.TempDir(), "127.0.0.1:0")
	accAddUser(t, h, "mona", "member", "boxa", "mona-password-123")
	mona := MintToken(t, h.URL, "mona", "mona-password-123", map[string]string{"name": "mona-cli", "kind": "api"})
	admin := readEvents(t, h.URL, h.Token, "")
	live := readEvents(t, h.URL, mona, "")
	StartWrap(t, nil, "--hub", h.URL, "--name", "boxb", "--", "bash", "-c", askScript)
	sb := SessionFor(t, h.URL, "boxb")
	accPending(t, h.URL, sb.ID)
	admin.waitType(t, events.PromptOpened, sb.ID)
	StartWrap(t, nil, "--hub", h.URL, "--name", "boxa", "--", "bash", "-c", "echo hi; sleep 30")
	sa := SessionFor(t, h.URL, "boxa")
	live.waitType(t, events.SessionStarted, sa.ID) // after boxb's events: any of them would have come first
	replay := readEvents(t, h.URL, mona, "0")
	replay.waitType(t, events.SessionStarted, sa.ID)
	for name, r := range map[string]*eventReader{"live": live, "replay": replay} {
		for _, e := range r.events() {
			if e.Body.Node != "boxa" {
				t.Errorf("%s: mona, granted boxa only, got %s of %s", name, e.Type, e.Body.Node)
			}
		}
	}
	if !slices.ContainsFunc(admin.events(), func(e outEvent) bool { return e.Body.Node == "boxb" }) {
		t.Error("the admin saw no event of boxb")
	}
}

// The webhook queue and the event ids survive the hub being killed (-9):
// an event queued while its receiver was failing is delivered by the
// restarted hub, and the stream resumes from an id of the first run.
func TestWebhookQueueSurvivesKill(t *testing.T) {
	data := t.TempDir()
	h := StartHub(t, data, "127.0.0.1:0", "--allow-private-webhooks", "--webhook-retry-min", "1h")
	rc := startReceiver(t, 1)
	id, secret, code, body := addWebhook(t, h, `{"url":"`+rc.URL+`","types":["session.started"]}`)
	if code != 201 {
		t.Fatalf("add webhook: %d %s", code, body)
	}
	stream := readEvents(t, h.URL, h.Token, "")
	w := StartWrap(t, nil, "--hub", h.URL, "--name", "killbox", "--", "bash", "-c", "echo hi; sleep 0.5")
	s := SessionFor(t, h.URL, "killbox")
	started := stream.waitType(t, events.SessionStarted, s.ID)
	WaitFor(t, 20*time.Second, "the failed first attempt in the log", func() bool {
		d := deliveries(t, h, id)
		return len(d) == 1 && d[0].Attempts == 1 && d[0].State == "pending"
	})
	w.Wait(t, 20*time.Second)
	h.Kill()

	h2 := StartHub(t, data, "127.0.0.1:0", "--allow-private-webhooks", "--webhook-retry-min", "50ms", "--webhook-retry-max", "100ms")
	WaitFor(t, 20*time.Second, "the restarted hub to deliver", func() bool { return len(rc.accepted()) == 1 })
	got := rc.accepted()[0]
	if err := events.Verify(secret, got.Sig, got.TS, got.Body, time.Now()); err != nil || got.Event != events.SessionStarted {
		t.Fatalf("after the restart: %s %v", got.Event, err)
	}
	var e events.Event
	if err := json.Unmarshal(got.Body, &e); err != nil || e.ID != started.ID {
		t.Errorf("the webhook got event %d (%v), the stream had %d", e.ID, err, started.ID)
	}
	// The first run's ids go on: resuming from just before the started
	// event replays it first, once, then only later ones.
	again := readEvents(t, h2.URL, h2.Token, strconv.FormatUint(started.ID-1, 10))
	WaitFor(t, 10*time.Second, "the replay", func() bool { return len(again.events()) > 0 })
	list := again.events()
	if list[0].ID != started.ID || list[0].Type != events.SessionStarted {
		t.Fatalf("resumed after %d: first %d %s, want %d session.started", started.ID-1, list[0].ID, list[0].Type, started.ID)
	}
	for i := 1; i < len(list); i++ {
		if list[i].ID <= list[i-1].ID {
			t.Errorf("resumed stream repeats or goes back: %d after %d", list[i].ID, list[i-1].ID)
		}
	}
}

// A prompt open when the hub is killed is closed by the restart; the
// restarted hub announces it settled (via hub) to a reader resuming from
// its opening, so nobody waits for a settlement that happened offstage.
func TestEventsSettleWhatARestartClosed(t *testing.T) {
	data := t.TempDir()
	h := StartHub(t, data, "127.0.0.1:0")
	stream := readEvents(t, h.URL, h.Token, "")
	StartWrap(t, nil, "--hub", h.URL, "--name", "restartbox", "--", "bash", "-c", askScript)
	s := SessionFor(t, h.URL, "restartbox")
	pid := accPending(t, h.URL, s.ID)
	opened := stream.waitType(t, events.PromptOpened, s.ID)
	h.Kill()
	h2 := StartHub(t, data, h.Addr)
	again := readEvents(t, h2.URL, h2.Token, strconv.FormatUint(opened.ID, 10))
	settled := again.waitType(t, events.PromptSettled, s.ID)
	if p := settled.Body.Prompt; p.ID != pid || p.Via != "hub" || p.Reason != "hub-restart" {
		t.Errorf("after the restart: %+v, want %s settled via hub (hub-restart)", p, pid)
	}
	if first := again.events()[0]; first.ID <= opened.ID {
		t.Errorf("resumed after %d, got %d again", opened.ID, first.ID)
	}
}
