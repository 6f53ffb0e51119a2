package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ct-dev/ct/events"
)

// Helpers for the events-out tests (events_test.go): an SSE reader of
// /api/v1/events and a webhook receiver on 127.0.0.1.

// outEvent is one session or prompt event as a reader got it.
type outEvent struct {
	ID   uint64
	Type string
	Body events.Event
	Raw  string
}

// eventReader reads GET /api/v1/events and keeps its session and prompt
// events (those with an SSE id) in order.
type eventReader struct {
	mu     sync.Mutex
	got    []outEvent
	ready  chan struct{}
	cancel context.CancelFunc
}

// readEvents opens the stream with token, from since ("" for live only).
func readEvents(t *testing.T, hubURL, token, since string) *eventReader {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(ctx, "GET", hubURL+"/api/v1/events", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	if since != "" {
		req.Header.Set("Last-Event-ID", since)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("events stream: %d %s", resp.StatusCode, b)
	}
	er := &eventReader{ready: make(chan struct{}), cancel: cancel}
	go func() { // reads until the test ends
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		var id, typ, data string
		for sc.Scan() {
			line := sc.Text()
			switch {
			case strings.HasPrefix(line, "id: "):
				id = line[4:]
			case strings.HasPrefix(line, "event: "):
				typ = line[7:]
			case strings.HasPrefix(line, "data: "):
				data = line[6:]
			case line == "":
				er.add(id, typ, data)
				id, typ, data = "", "", ""
			}
		}
	}()
	select {
	case <-er.ready:
	case <-time.After(10 * time.Second):
		t.Fatal("the events stream never said ready")
	}
	return er
}

func (er *eventReader) add(id, typ, data string) {
	if typ == "ready" {
		close(er.ready)
		return
	}
	if id == "" {
		return // a coordination event
	}
	n, _ := strconv.ParseUint(id, 10, 64)
	e := outEvent{ID: n, Type: typ, Raw: data}
	_ = json.Unmarshal([]byte(data), &e.Body)
	er.mu.Lock()
	er.got = append(er.got, e)
	er.mu.Unlock()
}

func (er *eventReader) events() []outEvent {
	er.mu.Lock()
	defer er.mu.Unlock()
	return append([]outEvent(nil), er.got...)
}

// waitType waits until the reader has an event of typ for session sid.
func (er *eventReader) waitType(t *testing.T, typ, sid string) outEvent {
	t.Helper()
	var found outEvent
	WaitFor(t, 20*time.Second, typ+" of "+sid+" on the stream", func() bool {
		for _, e := range er.events() {
			if e.Type == typ && e.Body.SessionID == sid {
				found = e
				return true
			}
		}
		return false
	})
	return found
}

// received is one request a receiver got.
type received struct {
	Body              []byte
	Sig, TS, Delivery string
	Event             string
	Status            int
}

// receiver is a webhook endpoint on 127.0.0.1 that answers fail 500s
// before it accepts.
type receiver struct {
	URL  string
	mu   sync.Mutex
	reqs []received
	fail int
}

func startReceiver(t *testing.T, fail int) *receiver {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	rc := &receiver{URL: "http://" + ln.Addr().String() + "/hook", fail: fail}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		status := 200
		if rc.fail > 0 {
			rc.fail--
			status = 500
		}
		rc.reqs = append(rc.reqs, received{Body: b, Sig: r.Header.Get(events.HeaderSignature), TS: r.Header.Get(events.HeaderTimestamp),
			Delivery: r.Header.Get(events.HeaderDelivery), Event: r.Header.Get(events.HeaderEvent), Status: status})
		rc.mu.Unlock()
		w.WriteHeader(status)
	})}
	go func() { _ = srv.Serve(ln) }() // until the test ends
	t.Cleanup(func() { srv.Close() })
	return rc
}

// accepted are the requests answered 200, in order.
func (rc *receiver) accepted() []received {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	var out []received
	for _, r := range rc.reqs {
		if r.Status == 200 {
			out = append(out, r)
		}
	}
	return out
}

func (rc *receiver) all() []received {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]received(nil), rc.reqs...)
}

// addWebhook makes a webhook with the admin token and returns its id and
// secret (or the status and error body when refused).
func addWebhook(t *testing.T, h *Hub, body string) (id, secret string, code int, errBody string) {
	t.Helper()
	code, b, _ := accDo(t, "POST", h.URL+"/api/v1/webhooks", accCred{bearer: h.Token}, body, nil)
	if code != http.StatusCreated {
		return "", "", code, b
	}
	var out struct {
		Webhook struct{ ID string }
		Secret  string
	}
	if err := json.Unmarshal([]byte(b), &out); err != nil {
		t.Fatal(err)
	}
	return out.Webhook.ID, out.Secret, code, ""
}

// deliveryRow is one line of a webhook's delivery log.
type deliveryRow struct {
	State     string `json:"state"`
	Attempts  int    `json:"attempts"`
	EventType string `json:"event_type"`
	LastError string `json:"last_error"`
}

// deliveries reads the delivery log of webhook id ("-": every webhook).
func deliveries(t *testing.T, h *Hub, id string) []deliveryRow {
	t.Helper()
	var out []deliveryRow
	_, b, _ := accDo(t, "GET", h.URL+"/api/v1/webhooks/"+id+"/deliveries", accCred{bearer: h.Token}, "", nil)
	if err := json.Unmarshal([]byte(b), &out); err != nil {
		t.Fatalf("delivery log: %v: %s", err, b)
	}
	return out
}
