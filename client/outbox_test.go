package client

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/ct-dev/ct/coord"
)

// testOutbox opens an outbox in a fresh directory.
func testOutbox(t *testing.T) *Outbox {
	t.Helper()
	ob, err := OpenOutbox(filepath.Join(t.TempDir(), "outbox", "q.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	return ob
}

// TestHelperQueueAndExit is not a test: TestOutboxReplayedByNextProcess
// runs the test binary with it to queue messages in a process of its own,
// which then ends at once with no clean-up (as a killed ct command would).
func TestHelperQueueAndExit(t *testing.T) {
	path := os.Getenv("CT_TEST_OUTBOX")
	if path == "" {
		t.Skip("helper process only")
	}
	ob, err := OpenOutbox(path)
	if err != nil {
		os.Exit(3)
	}
	c := New(Config{Hub: os.Getenv("CT_TEST_HUB"), Token: "t", Outbox: ob})
	for _, body := range []string{"first", "second", "third"} {
		if _, queued, err := c.SendMessage(context.Background(), coord.Message{To: "bob", Body: body}); err != nil || !queued {
			os.Exit(4)
		}
	}
	os.Exit(0) // no deferred work, no flush: the entries are all that is left
}

// A change queued while the hub is away is on disk before the command
// ends, and the next process (a different one) delivers it.
func TestOutboxReplayedByNextProcess(t *testing.T) {
	path := filepath.Join(t.TempDir(), "outbox", "q.jsonl")
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperQueueAndExit$")
	cmd.Env = append(os.Environ(), "CT_TEST_OUTBOX="+path, "CT_TEST_HUB="+awayURL(t))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("the queueing process failed: %v\n%s", err, out)
	}
	hub := newFakeHub(t, nil)
	ob, err := OpenOutbox(path)
	if err != nil {
		t.Fatal(err)
	}
	if n := ob.Len(); n != 3 {
		t.Fatalf("%d entries on disk after the process ended, want 3", n)
	}
	var notes bytes.Buffer
	c := New(Config{Hub: hub.URL, Token: "t", Outbox: ob, Notes: &notes})
	if err := c.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	got := hub.got()
	if len(got) != 3 {
		t.Fatalf("the hub got %d requests, want 3", len(got))
	}
	for i, want := range []string{"first", "second", "third"} {
		if got[i].Method != "POST" || got[i].Path != "/api/v1/messages" || bodyOf[coord.Message](t, got[i]).Body != want {
			t.Errorf("replay %d: %s %s %s, want the message %q", i, got[i].Method, got[i].Path, got[i].Body, want)
		}
	}
	if c.Queued() != 0 {
		t.Errorf("%d entries left after the replay", c.Queued())
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("the emptied outbox file is still there: %v", err)
	}
	if n := strings.Count(notes.String(), "delivered a queued change"); n != 3 {
		t.Errorf("notes say %d deliveries, want 3:\n%s", n, notes.String())
	}
}

// An outbox written by an older ct (the same JSON-lines format) replays,
// and a line cut short by a crash mid-write is skipped, not fatal.
func TestOutboxReadsExistingFormat(t *testing.T) {
	ob := testOutbox(t)
	old := `{"method":"POST","path":"/api/v1/messages","body":{"to":"bob","body":"from an old ct"},"queued_at":"2026-01-02T03:04:05Z"}
{"method":"PATCH","path":"/api/v1/todos/7","body":{"state":"done"},"queued_at":"2026-01-02T03:04:06Z"}
{"method":"POST","path":"/api/v1/mess`
	if err := os.WriteFile(ob.path, []byte(old), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(ob.path+".tmp", []byte("half a rewrite"), 0o600); err != nil { // a rewrite that never got renamed
		t.Fatal(err)
	}
	hub := newFakeHub(t, nil)
	c := New(Config{Hub: hub.URL, Token: "t", Outbox: ob})
	if err := c.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	got := hub.got()
	if len(got) != 2 || got[0].Path != "/api/v1/messages" || got[1].Method != "PATCH" || got[1].Path != "/api/v1/todos/7" {
		t.Fatalf("replayed %+v", got)
	}
	if m := bodyOf[coord.Message](t, got[0]); m.Body != "from an old ct" {
		t.Errorf("message body %q", m.Body)
	}
	if u := bodyOf[coord.TodoUpdate](t, got[1]); u.State == nil || *u.State != "done" {
		t.Errorf("todo update %s", got[1].Body)
	}
}

// Changes replay in the order they were made, messages and todos mixed;
// when the hub goes away mid-replay the rest keep their order, and a change
// the hub refuses is dropped with a note instead of blocking the queue.
func TestOutboxReplayOrder(t *testing.T) {
	ctx := context.Background()
	ob := testOutbox(t)
	away := New(Config{Hub: awayURL(t), Token: "t", Outbox: ob})
	done := coord.TodoDone
	var want []string
	for i := range 6 {
		var queued bool
		var err error
		if i%3 == 2 {
			_, queued, err = away.UpdateTodo(ctx, fmt.Sprint(i), coord.TodoUpdate{State: &done})
			want = append(want, fmt.Sprintf("PATCH /api/v1/todos/%d", i))
		} else {
			_, queued, err = away.SendMessage(ctx, coord.Message{To: "bob", Body: fmt.Sprint(i)})
			want = append(want, "POST /api/v1/messages")
		}
		if err != nil || !queued {
			t.Fatalf("change %d: queued=%v err=%v", i, queued, err)
		}
	}

	// The hub takes two, refuses the third (a 400 for a bad change), then
	// is away (503 from its proxy) from the fifth on.
	var calls atomic.Int32 // the handler runs on the server's goroutines
	hub := newFakeHub(t, func(c call, w http.ResponseWriter) {
		n := calls.Add(1)
		switch {
		case n == 3:
			http.Error(w, `{"error":"no todo 2"}`, http.StatusBadRequest)
		case n >= 5 && n < 100:
			w.WriteHeader(http.StatusServiceUnavailable)
		default:
			w.Write([]byte("{}"))
		}
	})
	var notes bytes.Buffer
	c := New(Config{Hub: hub.URL, Token: "t", Outbox: ob, Notes: &notes})
	if err := c.Flush(ctx); !errors.Is(err, ErrHubAway) {
		t.Fatalf("flush with the hub away at the fifth: %v, want ErrHubAway", err)
	}
	if !strings.Contains(notes.String(), "was refused by the hub: no todo 2") {
		t.Errorf("no note about the refused change:\n%s", notes.String())
	}
	if q := c.Queued(); q != 2 {
		t.Fatalf("%d left queued, want 2 (the fifth, which met the 503, and the sixth)", q)
	}
	calls.Store(100) // the hub is back
	if err := c.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	got := hub.got()
	var order []string
	for _, g := range got {
		order = append(order, g.Method+" "+g.Path)
	}
	// The fifth was tried twice: once against the 503, once delivered.
	wantOrder := append(append([]string{}, want[:5]...), want[4:]...)
	if strings.Join(order, "\n") != strings.Join(wantOrder, "\n") {
		t.Fatalf("replay order:\n%s\nwant:\n%s", strings.Join(order, "\n"), strings.Join(wantOrder, "\n"))
	}
	if bodyOf[coord.Message](t, got[0]).Body != "0" || bodyOf[coord.Message](t, got[len(got)-2]).Body != "4" {
		t.Errorf("message bodies out of order: %q ... %q", got[0].Body, got[len(got)-2].Body)
	}
}

// The server has no idempotency key today (issue 13), so exactly-once
// rests on the outbox: each entry a replay delivers is removed under the
// same lock, so neither a second flush nor two processes flushing at
// once send it again.
func TestOutboxDeliversEachEntryOnce(t *testing.T) {
	ctx := context.Background()
	ob := testOutbox(t)
	away := New(Config{Hub: awayURL(t), Token: "t", Outbox: ob})
	const n = 20
	for i := range n {
		if _, queued, err := away.SendMessage(ctx, coord.Message{To: "bob", Body: fmt.Sprint(i)}); err != nil || !queued {
			t.Fatalf("queue %d: %v %v", i, queued, err)
		}
	}
	hub := newFakeHub(t, nil)
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for range 4 { // four ct commands starting at once, each with its own Outbox value
		wg.Add(1)
		go func() {
			defer wg.Done()
			o, err := OpenOutbox(ob.path)
			if err != nil {
				errs <- err
				return
			}
			errs <- New(Config{Hub: hub.URL, Token: "t", Outbox: o}).Flush(ctx)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := New(Config{Hub: hub.URL, Token: "t", Outbox: ob}).Flush(ctx); err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for _, c := range hub.got() {
		seen[bodyOf[coord.Message](t, c).Body]++
	}
	for i := range n {
		if seen[fmt.Sprint(i)] != 1 {
			t.Errorf("message %d delivered %d times, want once", i, seen[fmt.Sprint(i)])
		}
	}
	if len(hub.got()) != n || ob.Len() != 0 {
		t.Errorf("%d requests for %d entries, %d left", len(hub.got()), n, ob.Len())
	}
}

// A new change goes behind the ones already queued, even when the hub has
// just come back: the queue is delivered first.
func TestChangeSendsQueueFirst(t *testing.T) {
	ctx := context.Background()
	ob := testOutbox(t)
	if _, _, err := New(Config{Hub: awayURL(t), Token: "t", Outbox: ob}).SendMessage(ctx, coord.Message{To: "bob", Body: "old"}); err != nil {
		t.Fatal(err)
	}
	hub := newFakeHub(t, func(c call, w http.ResponseWriter) {
		w.WriteHeader(http.StatusCreated)
		w.Write([]byte(`{"id":"m9","to":"bob"}`))
	})
	out, queued, err := New(Config{Hub: hub.URL, Token: "t", Outbox: ob}).SendMessage(ctx, coord.Message{To: "bob", Body: "new"})
	if err != nil || queued || out.ID != "m9" {
		t.Fatalf("send with the hub back: %+v queued=%v %v", out, queued, err)
	}
	got := hub.got()
	if len(got) != 2 || bodyOf[coord.Message](t, got[0]).Body != "old" || bodyOf[coord.Message](t, got[1]).Body != "new" {
		t.Fatalf("order at the hub: %+v", got)
	}
}

// A full outbox refuses more, saying so, and keeps what it has.
func TestOutboxBounded(t *testing.T) {
	ob := testOutbox(t)
	line := `{"method":"POST","path":"/api/v1/messages","body":{"to":"bob","body":"x"},"queued_at":"2026-01-02T03:04:05Z"}` + "\n"
	if err := os.WriteFile(ob.path, []byte(strings.Repeat(line, outboxMax)), 0o600); err != nil {
		t.Fatal(err)
	}
	_, _, err := New(Config{Hub: awayURL(t), Token: "t", Outbox: ob}).SendMessage(context.Background(), coord.Message{To: "bob", Body: "one more"})
	if err == nil || !strings.Contains(err.Error(), "already queued (the limit)") {
		t.Fatalf("add to a full outbox: %v", err)
	}
	if ob.Len() != outboxMax {
		t.Errorf("%d entries, want %d", ob.Len(), outboxMax)
	}
}
