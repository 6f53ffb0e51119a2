package mcpserver

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// No tool, and no argument of any tool, decides a prompt: an agent's
// credential coordinates, a person answers questions.
func TestNoToolDecidesPrompts(t *testing.T) {
	cs := connect(t, "http://127.0.0.1:1")
	tools, err := cs.ListTools(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	deciding := regexp.MustCompile(`(?i)approv|allow|deny|decid|decision|answer|permission|grant`)
	for _, tl := range tools.Tools {
		if deciding.MatchString(tl.Name) {
			t.Errorf("tool %s looks like it decides prompts", tl.Name)
		}
		b, _ := json.Marshal(tl.InputSchema)
		var schema struct {
			Properties map[string]any `json:"properties"`
		}
		_ = json.Unmarshal(b, &schema)
		for arg := range schema.Properties {
			if deciding.MatchString(arg) {
				t.Errorf("tool %s has argument %q, which looks like deciding a prompt", tl.Name, arg)
			}
		}
	}
}

// The session tools call the hub as the client does: send_input types the
// text with Enter, read_transcript pages with since and limit and says
// where to go on, and a refusal reaches the agent as the hub's words.
func TestSessionToolsCallTheHub(t *testing.T) {
	var mu sync.Mutex // guards got: the handler runs on the server's goroutines
	var got []string
	hub := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		got = append(got, r.Method+" "+r.URL.RequestURI()+" "+string(b))
		mu.Unlock()
		switch {
		case strings.HasSuffix(r.URL.Path, "/input") && strings.Contains(r.URL.Path, "/busy/"):
			w.WriteHeader(http.StatusConflict)
			w.Write([]byte(`{"error":"someone else has the wheel: carol is driving this session"}`))
		case strings.HasSuffix(r.URL.Path, "/input"):
			w.Write([]byte(`{"ok":true}`))
		case strings.HasSuffix(r.URL.Path, "/transcript"):
			w.Write([]byte(`[{"kind":"user","text":"fix the bug"},{"kind":"assistant","text":"done"}]`))
		case strings.HasSuffix(r.URL.Path, "/screen"):
			w.Write([]byte("$ make\nok\n"))
		}
	}))
	defer hub.Close()
	cs := connect(t, hub.URL)
	call := func(name string, args map[string]any) (string, bool) {
		res, err := cs.CallTool(context.Background(), &mcp.CallToolParams{Name: name, Arguments: args})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return res.Content[0].(*mcp.TextContent).Text, res.IsError
	}
	if out, isErr := call("send_input", map[string]any{"session": "s1", "text": "run the tests", "enter": true}); isErr || out != "typed 14 bytes into s1" {
		t.Errorf("send_input = %q %v", out, isErr)
	}
	if out, isErr := call("send_input", map[string]any{"session": "busy", "text": "x"}); !isErr || !strings.Contains(out, "carol is driving") {
		t.Errorf("a refused send_input = %q %v; want the hub's refusal", out, isErr)
	}
	out, _ := call("read_transcript", map[string]any{"session": "s1", "since": 5, "limit": 2})
	if !strings.Contains(out, `"next": 7`) || !strings.Contains(out, "fix the bug") {
		t.Errorf("read_transcript = %s", out)
	}
	if out, _ := call("read_screen", map[string]any{"session": "s1"}); out != "$ make\nok\n" {
		t.Errorf("read_screen = %q", out)
	}
	if out, isErr := call("start_session", map[string]any{"node": "box", "command": "bash", "agent": "claude", "dir": "/src"}); !isErr || !strings.Contains(out, "exactly one of command") {
		t.Errorf("start_session with both = %q %v", out, isErr)
	}
	mu.Lock()
	defer mu.Unlock()
	want := []string{
		`POST /api/v1/sessions/s1/input {"text":"run the tests\r"}`,
		`POST /api/v1/sessions/busy/input {"text":"x"}`,
		`GET /api/v1/sessions/s1/transcript?limit=2&since=5 `,
		`GET /api/v1/sessions/s1/screen `,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("the hub got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
