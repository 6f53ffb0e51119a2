package codextest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/ct-dev/ct/claudetest"
)

// TitleReply answers requests that offer no tools (Codex's thread-title request).
const TitleReply = "Codex test"

// FakeAPI is a scripted OpenAI Responses API (POST /v1/responses, streamed) on 127.0.0.1,
// closed when the test ends.
type FakeAPI struct {
	// URL is the base URL to put in the provider's base_url (it ends in /v1).
	URL string

	t   testing.TB
	srv *httptest.Server

	requests claudetest.Recorder[Request]

	// mu guards everything below; handlers run on the server's goroutines.
	mu     sync.Mutex
	script Script
	ids    int
}

// NewFakeAPI starts the fake; until scripted, every request gets a short text reply.
func NewFakeAPI(t testing.TB) *FakeAPI {
	t.Helper()
	f := &FakeAPI{t: t}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	f.URL = f.srv.URL + "/v1"
	t.Cleanup(f.srv.Close)
	return f
}

// SetScript makes s choose the reply to every request that offers tools.
func (f *FakeAPI) SetScript(s Script) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.script = s
}

// Requests returns a copy of every /v1/responses request received so far, oldest first.
func (f *FakeAPI) Requests() []Request { return f.requests.All() }

// WaitRequest returns the first recorded request that match accepts, waiting up to timeout.
func (f *FakeAPI) WaitRequest(timeout time.Duration, match func(Request) bool) (Request, bool) {
	return f.requests.Wait(timeout, match)
}

// WaitOutput waits for a function_call_output whose text match accepts and returns it.
func (f *FakeAPI) WaitOutput(timeout time.Duration, match func(output string) bool) (string, bool) {
	var got string
	_, ok := f.WaitRequest(timeout, func(r Request) bool {
		for _, o := range r.Outputs() {
			if match(o) {
				got = o
				return true
			}
		}
		return false
	})
	return got, ok
}

func (f *FakeAPI) serve(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 16<<20))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if r.Method != http.MethodPost || r.URL.Path != "/v1/responses" {
		// Model lists and anything else: answer harmlessly.
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"object":"list","data":[]}`)
		return
	}
	var req Request
	if err := json.Unmarshal(body, &req); err != nil {
		f.t.Errorf("codextest: undecodable /v1/responses body: %v\n%s", err, body)
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	req.Body = body
	f.requests.Add(req)
	f.mu.Lock()
	f.ids++
	id := f.ids
	script := f.script
	f.mu.Unlock()
	rep := Reply{Text: TitleReply}
	if len(req.Tools) > 0 && script != nil {
		rep = script(req)
	}
	writeSSE(w, rep, id)
}

// writeSSE streams rep as the Responses API's server-sent events.
func writeSSE(w http.ResponseWriter, rep Reply, id int) {
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	respID := fmt.Sprintf("resp_codextest_%04d", id)
	send := func(typ string, v map[string]any) {
		v["type"] = typ
		b, _ := json.Marshal(v)
		fmt.Fprintf(w, "event: %s\ndata: %s\n\n", typ, b)
	}
	send("response.created", map[string]any{"response": map[string]any{"id": respID}})
	for i, item := range rep.items(id) {
		send("response.output_item.added", map[string]any{"output_index": i, "item": item})
		if text, ok := item["_text"].(string); ok {
			delete(item, "_text")
			send("response.output_text.delta", map[string]any{"output_index": i, "content_index": 0, "item_id": item["id"], "delta": text})
		}
		send("response.output_item.done", map[string]any{"output_index": i, "item": item})
	}
	send("response.completed", map[string]any{"response": map[string]any{"id": respID, "usage": map[string]any{
		"input_tokens": 10, "input_tokens_details": map[string]any{"cached_tokens": 0},
		"output_tokens": 5, "output_tokens_details": map[string]any{"reasoning_tokens": 0}, "total_tokens": 15,
	}}})
	if fl, ok := w.(http.Flusher); ok {
		fl.Flush()
	}
}
