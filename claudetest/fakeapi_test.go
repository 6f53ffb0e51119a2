package claudetest

import (
	"bufio"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

const tools = `"tools":[{"name":"Bash","input_schema":{"type":"object"}}]`

func post(t *testing.T, api *FakeAPI, body string) *http.Response {
	t.Helper()
	resp, err := http.Post(api.URL+"/v1/messages", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

// sseEvent is one decoded event of a streamed reply.
type sseEvent struct {
	name string
	data map[string]any
}

func readSSE(t *testing.T, r io.Reader) []sseEvent {
	t.Helper()
	var events []sseEvent
	var name string
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "event: "):
			name = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "data: "):
			var data map[string]any
			if err := json.Unmarshal([]byte(strings.TrimPrefix(line, "data: ")), &data); err != nil {
				t.Fatalf("bad data line %q: %v", line, err)
			}
			if data["type"] != name {
				t.Errorf("event %q carries type %v", name, data["type"])
			}
			events = append(events, sseEvent{name, data})
		}
	}
	return events
}

func TestFakeAPIStreamsToolUse(t *testing.T) {
	api := NewFakeAPI(t)
	rep := BashReply("echo hi", "Say hi")
	rep.Text = "Running it."
	api.SetScript(ToolThenText(rep, "done"))

	resp := post(t, api, `{"model":"m1","stream":true,`+tools+`,"messages":[{"role":"user","content":"go"}]}`)
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("content type %q", ct)
	}
	events := readSSE(t, resp.Body)
	var names []string
	var text, input string
	for _, e := range events {
		names = append(names, e.name)
		if d, ok := e.data["delta"].(map[string]any); ok && e.name == "content_block_delta" {
			switch d["type"] {
			case "text_delta":
				text += d["text"].(string)
			case "input_json_delta":
				input += d["partial_json"].(string)
			}
		}
	}
	want := "message_start content_block_start content_block_delta content_block_delta content_block_stop " +
		"content_block_start content_block_delta content_block_delta content_block_stop message_delta message_stop"
	if got := strings.Join(names, " "); got != want {
		t.Errorf("events:\n got %s\nwant %s", got, want)
	}
	if text != "Running it." || input != `{"command":"echo hi","description":"Say hi"}` {
		t.Errorf("reassembled text %q input %q", text, input)
	}
	stop := events[len(events)-2].data["delta"].(map[string]any)["stop_reason"]
	if stop != "tool_use" {
		t.Errorf("stop_reason %v", stop)
	}
}

func TestFakeAPIAnswersToolResultAsJSON(t *testing.T) {
	api := NewFakeAPI(t)
	api.SetScript(ToolThenText(BashReply("true", ""), "all done"))
	resp := post(t, api, `{"model":"m1",`+tools+`,"messages":[
		{"role":"user","content":"go"},
		{"role":"assistant","content":[{"type":"tool_use","id":"t1","name":"Bash","input":{}}]},
		{"role":"user","content":[{"type":"tool_result","tool_use_id":"t1","is_error":true,
			"content":[{"type":"text","text":"denied: no"}]}]}]}`)
	var msg struct {
		Model      string  `json:"model"`
		StopReason string  `json:"stop_reason"`
		Content    []Block `json:"content"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&msg); err != nil {
		t.Fatal(err)
	}
	if msg.Model != "m1" || msg.StopReason != "end_turn" || len(msg.Content) != 1 || msg.Content[0].Text != "all done" {
		t.Errorf("reply %+v", msg)
	}
	results := api.ToolResults()
	if len(results) != 1 || !results[0].IsError || results[0].ResultText() != "denied: no" {
		t.Errorf("recorded results %+v", results)
	}
}

func TestFakeAPIQueueToolsAndOtherPaths(t *testing.T) {
	api := NewFakeAPI(t)
	api.SetReplies(TextReply("first"), TextReply("second"))
	reply := func(body string) string {
		var msg struct{ Content []Block }
		if err := json.NewDecoder(post(t, api, body).Body).Decode(&msg); err != nil {
			t.Fatal(err)
		}
		if len(msg.Content) != 1 {
			t.Fatalf("content %+v", msg.Content)
		}
		return msg.Content[0].Text
	}
	main := `{` + tools + `,"messages":[{"role":"user","content":"hi"}]}`
	// A request without tools (a title or warm-up) neither uses nor consumes the queue.
	got := []string{reply(main), reply(`{"messages":[{"role":"user","content":"title?"}]}`), reply(main), reply(main)}
	if want := []string{"first", ShortReply, "second", ShortReply}; strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("replies %q, want %q", got, want)
	}

	req, _ := http.NewRequest(http.MethodHead, api.URL+"/", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("HEAD / = %v, %v", resp, err)
	}
	resp.Body.Close()
	resp, err = http.Get(api.URL + "/api/anything")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || string(body) != "{}" {
		t.Errorf("GET other = %d %q", resp.StatusCode, body)
	}

	r, ok := api.WaitRequest(time.Second, func(r Request) bool { return r.Method == http.MethodHead })
	if !ok || r.Path != "/" {
		t.Errorf("HEAD / not recorded: %+v", r)
	}
	if n := len(api.Requests()); n != 6 {
		t.Errorf("recorded %d requests, want 6", n)
	}
	if last, _ := api.Requests()[0].Messages.LastUser(); last.Text() != "hi" {
		t.Errorf("string content decoded as %+v", last)
	}
}
