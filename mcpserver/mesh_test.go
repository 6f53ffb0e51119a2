package mcpserver

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// wait_for_events and the skill tools become their API calls: since and
// types passed on, no since meaning "from now", a version asked by number.
func TestMeshToolsCallTheClient(t *testing.T) {
	var mu sync.Mutex // guards got: the handler runs on the server's goroutines
	var got []string
	hub := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		got = append(got, r.Method+" "+r.URL.RequestURI())
		mu.Unlock()
		switch {
		case strings.HasPrefix(r.URL.Path, "/api/v1/events/wait"):
			w.Write([]byte(`{"events":[{"id":8,"type":"lock","notice":"carol took lock deploy"}],"next":8}`))
		case r.Method == "POST":
			w.Write([]byte(`{"name":"go-release","version":3}`))
		default:
			w.Write([]byte(`{"name":"go-release","version":1,"instructions":"tag it"}`))
		}
	}))
	defer hub.Close()
	ctx := context.Background()
	cs := connect(t, hub.URL)
	call := func(name string, args map[string]any) (string, bool) {
		res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: name, Arguments: args})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return res.Content[0].(*mcp.TextContent).Text, res.IsError
	}
	if out, _ := call("wait_for_events", map[string]any{"since": 7, "types": []string{"lock", "todo"}, "timeout_s": 5}); !strings.Contains(out, "carol took lock deploy") {
		t.Errorf("wait_for_events answered %q", out)
	}
	call("wait_for_events", map[string]any{})
	if out, isErr := call("wait_for_events", map[string]any{"timeout_s": 600}); !isErr || !strings.Contains(out, "0 to 60") {
		t.Errorf("a 600 s wait: %v %q", isErr, out)
	}
	if out, _ := call("share_skill", map[string]any{"name": "go-release", "description": "d", "instructions": "i"}); out != "shared skill go-release version 3" {
		t.Errorf("share_skill answered %q", out)
	}
	call("get_skill", map[string]any{"name": "go-release", "version": 1})
	call("list_skills", nil)
	mu.Lock()
	defer mu.Unlock()
	want := "GET /api/v1/events/wait?since=7&timeout=5&types=lock%2Ctodo|GET /api/v1/events/wait?timeout=30|" +
		"POST /api/v1/skills|GET /api/v1/skills/go-release?version=1|GET /api/v1/skills"
	if s := strings.Join(got, "|"); s != want {
		t.Errorf("the hub got\n%s\nwant\n%s", s, want)
	}
}
