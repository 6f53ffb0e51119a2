package mcpserver

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/ct-dev/ct/client"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// An agent sees every coordination tool, and a tool call becomes the
// client's API call with the agent's input (here: lock with its lease).
func TestToolsCallTheClient(t *testing.T) {
	var mu sync.Mutex // guards got: the handler runs on the server's goroutines
	var got []string
	hub := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		got = append(got, r.Method+" "+r.URL.Path+" "+string(b))
		mu.Unlock()
		w.Write([]byte(`{"name":"deploy","holder":"agent","until":"2026-05-01T10:00:00Z"}`))
	}))
	defer hub.Close()
	ctx := context.Background()
	cs := connect(t, hub.URL)

	tools, err := cs.ListTools(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tl := range tools.Tools {
		names = append(names, tl.Name)
	}
	want := []string{"ack_message", "add_todo", "check_messages", "get_skill", "list_locks", "list_messages", "list_peers", "list_reminders",
		"list_skills", "list_todos", "lock", "schedule_reminder", "send_message", "set_status", "share_skill", "unlock",
		"update_todo", "wait_for_events"}
	want = append(want, "list_reservations", "release_paths", "reserve_paths", "state_get", "state_set", "state_watch")
	want = append(want, "list_sessions", "read_screen", "read_transcript", "send_input", "start_session")
	want = append(want, "mcp_list", "mcp_tool_call") // mcp_register needs a ProxyHost
	want = append(want, "list_peer_files", "get_peer_file")
	want = append(want, "clock", "clock_set", "clock_pause", "clock_resume", "clock_report")
	slices.Sort(want)
	if !slices.Equal(names, want) {
		t.Errorf("tools %v, want %v", names, want)
	}

	res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: "lock", Arguments: map[string]any{"name": "deploy", "ttl_seconds": 90}})
	if err != nil || res.IsError {
		t.Fatalf("lock: %v %+v", err, res)
	}
	if txt := res.Content[0].(*mcp.TextContent).Text; txt != "locked deploy until 2026-05-01T10:00:00Z" {
		t.Errorf("lock answered %q", txt)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 1 || got[0] != `POST /api/v1/locks {"name":"deploy","ttl":"1m30s","reason":""}` {
		t.Errorf("the hub got %q", strings.Join(got, "; "))
	}
}

// connect is an MCP client session, over the SDK's in-memory transport,
// to the tools of a server whose client calls hubURL; both end with t.
func connect(t *testing.T, hubURL string) *mcp.ClientSession {
	t.Helper()
	ctx := context.Background()
	st, ct := mcp.NewInMemoryTransports()
	ss, err := New(Options{Client: client.New(client.Config{Hub: hubURL, Token: "t"}), Version: "test"}).Connect(ctx, st, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ss.Close() })
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "test"}, nil).Connect(ctx, ct, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cs.Close() })
	return cs
}
