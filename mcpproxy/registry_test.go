package mcpproxy

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ct-dev/ct/coord"
)

func echoReg(name string, allow ...string) Registration {
	return Registration{Name: name, AllowTools: allow, Tools: []Tool{{Name: "echo"}, {Name: "secret"}}}
}

func kind(err error) coord.Kind { return coord.KindOf(err) }

// hostLoop answers every call of peer with the tool's name and args until
// ctx ends, the way a host's ct mcp would.
func hostLoop(ctx context.Context, r *Registry, peer string, wg *sync.WaitGroup) {
	defer wg.Done()
	for ctx.Err() == nil {
		ans, err := r.Poll(ctx, peer, time.Second)
		if err != nil {
			return
		}
		for _, c := range ans.Calls {
			out, _ := json.Marshal(map[string]string{"tool": c.Tool, "args": string(c.Args), "caller": c.Caller})
			_ = r.Deliver(peer, c.ID, Result{Result: out})
		}
	}
}

func TestRouteReachesTheHostAndComesBack(t *testing.T) {
	r := New(Limits{}, nil)
	s, err := r.Register("host", echoReg("echo", "echo"))
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Tools) != 1 || s.Tools[0].Name != "echo" {
		t.Fatalf("registered tools %+v; want only the allowed echo", s.Tools)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go hostLoop(ctx, r, "host", &wg)
	defer func() { cancel(); wg.Wait() }()

	res, err := r.Route(context.Background(), "caller", CallRequest{Server: "echo", Tool: "echo", Args: json.RawMessage(`{"text":"hi"}`)})
	if err != nil || !strings.Contains(string(res.Result), `"caller":"caller"`) || !strings.Contains(string(res.Result), `hi`) {
		t.Fatalf("Route = %s, %v", res.Result, err)
	}
	if _, err := r.Route(context.Background(), "caller", CallRequest{Server: "echo", Tool: "secret"}); kind(err) != coord.Forbidden {
		t.Fatalf("a tool off the allow-list: %v; want Forbidden", err)
	}
	if _, err := r.Route(context.Background(), "caller", CallRequest{Server: "nope", Tool: "echo"}); kind(err) != coord.NotFound {
		t.Fatalf("an unknown server: %v; want NotFound", err)
	}
	// The listing says what the page and ct mcp-proxy ls show: the
	// allow-list as registered, how many tools the server offers, and the
	// calls routed (the refused one is not counted).
	list := r.Servers()
	if len(list) != 1 || list[0].Calls != 1 || list[0].Offered != 2 || strings.Join(list[0].AllowTools, ",") != "echo" {
		t.Fatalf("Servers = %+v; want echo with 1 call, 2 offered, allow-list [echo]", list)
	}
}

func TestRegistrationRules(t *testing.T) {
	r := New(Limits{}, nil)
	if _, err := r.Register("a", echoReg("Bad Name")); kind(err) != coord.Invalid {
		t.Fatalf("a bad name: %v", err)
	}
	if _, err := r.Register("a", echoReg("echo")); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Register("b", echoReg("echo")); kind(err) != coord.Conflict {
		t.Fatalf("another host's name: %v; want Conflict", err)
	}
	if _, err := r.Register("a", echoReg("echo", "echo")); err != nil {
		t.Fatalf("the same host registering again: %v", err)
	}
	if err := r.Unregister("b", "echo"); kind(err) != coord.NotFound {
		t.Fatalf("unregistering someone else's server: %v", err)
	}
	big := Registration{Name: "big", Tools: []Tool{{Name: "x", InputSchema: json.RawMessage(`"` + strings.Repeat("x", 17<<10) + `"`)}}}
	if _, err := r.Register("a", big); kind(err) != coord.TooLarge {
		t.Fatalf("a 17 KB schema: %v; want TooLarge", err)
	}
	r2 := New(Limits{MaxBytes: 10}, nil)
	r2.Register("a", echoReg("echo"))
	if _, err := r2.Route(context.Background(), "c", CallRequest{Server: "echo", Tool: "echo", Args: json.RawMessage(`{"text":"longer than ten"}`)}); kind(err) != coord.TooLarge {
		t.Fatalf("args over the limit: %v; want TooLarge", err)
	}
}

// A host whose poll's connection closes (its ct mcp exited) is dropped at
// once, and a call waiting on it is answered that the host left.
func TestHostLeavingDropsItsServersAndCalls(t *testing.T) {
	r := New(Limits{}, nil)
	r.Register("host", echoReg("echo"))
	done := make(chan Result, 1)
	go func() {
		res, _ := r.Route(context.Background(), "caller", CallRequest{Server: "echo", Tool: "echo"})
		done <- res
	}()
	ctx, cancel := context.WithCancel(context.Background())
	ans, err := r.Poll(ctx, "host", time.Minute) // takes the call, never answers
	if err != nil || len(ans.Calls) != 1 || len(ans.Hosting) != 1 {
		t.Fatalf("Poll = %+v, %v", ans, err)
	}
	polled := make(chan error, 1)
	go func() { _, err := r.Poll(ctx, "host", time.Minute); polled <- err }()
	cancel() // the host's connection closes
	if err := <-polled; !errors.Is(err, context.Canceled) {
		t.Fatalf("poll ended with %v", err)
	}
	if res := <-done; !strings.Contains(res.Error, "left") {
		t.Fatalf("the waiting call got %+v; want told the host left", res)
	}
	if list := r.Servers(); len(list) != 0 {
		t.Fatalf("servers after the host left: %+v", list)
	}
	if ans, err := r.Poll(context.Background(), "host", time.Minute); err != nil || len(ans.Hosting) != 0 {
		t.Fatalf("a forgotten host's poll: %+v, %v; want at once, hosting nothing (register again)", ans, err)
	}
}

// A host that stops polling without its connection closing is dropped
// after staleAfter.
func TestSilentHostGoesStale(t *testing.T) {
	now := time.Unix(1000, 0)
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	r := New(Limits{}, clock)
	r.Register("host", echoReg("echo"))
	if len(r.Servers()) != 1 {
		t.Fatal("server missing after registering")
	}
	mu.Lock()
	now = now.Add(staleAfter + time.Second)
	mu.Unlock()
	if list := r.Servers(); len(list) != 0 {
		t.Fatalf("a silent host's servers: %+v; want dropped", list)
	}
}

func TestCallTimesOut(t *testing.T) {
	r := New(Limits{CallTimeout: 50 * time.Millisecond}, nil)
	r.Register("host", echoReg("echo"))
	if _, err := r.Route(context.Background(), "c", CallRequest{Server: "echo", Tool: "echo"}); err == nil || !strings.Contains(err.Error(), "did not answer") {
		t.Fatalf("an unanswered call: %v", err)
	}
	if err := r.Deliver("host", "c1", Result{}); kind(err) != coord.NotFound {
		t.Fatalf("a late result: %v; want NotFound", err)
	}
}
