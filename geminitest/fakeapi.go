package geminitest

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// Part is one part of a Gemini content: text, a function call or its response.
type Part struct {
	Text             string          `json:"text,omitempty"`
	FunctionCall     *FunctionCall   `json:"functionCall,omitempty"`
	FunctionResponse json.RawMessage `json:"functionResponse,omitempty"`
}

// FunctionCall is a model's tool call.
type FunctionCall struct {
	Name string         `json:"name"`
	Args map[string]any `json:"args"`
}

// Content is one turn of a conversation.
type Content struct {
	Role  string `json:"role"`
	Parts []Part `json:"parts"`
}

// Request is one request the CLI sent (the model turns so far).
type Request struct {
	Path     string
	Contents []Content `json:"contents"`
}

// LastFunctionResponse is the function response the request ends with ("":
// it ends with something else).
func (r Request) LastFunctionResponse() string {
	if len(r.Contents) == 0 {
		return ""
	}
	for _, p := range r.Contents[len(r.Contents)-1].Parts {
		if len(p.FunctionResponse) > 0 {
			return string(p.FunctionResponse)
		}
	}
	return ""
}

// Script answers a streamGenerateContent request with the model's parts.
type Script func(Request) []Part

// ShellThenText is the usual script: the first turn runs command with
// run_shell_command; the turn after its result replies with final.
func ShellThenText(command, final string) Script {
	return func(r Request) []Part {
		if r.LastFunctionResponse() != "" {
			return []Part{{Text: final}}
		}
		return []Part{{FunctionCall: &FunctionCall{Name: "run_shell_command",
			Args: map[string]any{"command": command, "description": "a scripted command"}}}}
	}
}

// FakeAPI is a Gemini API on 127.0.0.1 answering from a Script.
type FakeAPI struct {
	URL string

	// mu guards the script and the requests: the CLI's requests arrive on
	// the server's goroutines while the test reads them.
	mu       sync.Mutex
	script   Script
	requests []Request
	arrived  chan struct{} // closed and replaced on every request, to wait on
}

// NewFakeAPI starts a fake API, closed when the test ends.
func NewFakeAPI(t testing.TB, script Script) *FakeAPI {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f := &FakeAPI{URL: "http://" + ln.Addr().String(), script: script, arrived: make(chan struct{})}
	srv := &http.Server{Handler: http.HandlerFunc(f.serve), ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }() // ends at Close
	t.Cleanup(func() { _ = srv.Close() })
	return f
}

// SetScript replaces the script for the following requests.
func (f *FakeAPI) SetScript(s Script) {
	f.mu.Lock()
	f.script = s
	f.mu.Unlock()
}

// Requests returns the model requests so far.
func (f *FakeAPI) Requests() []Request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Request(nil), f.requests...)
}

// WaitRequest waits up to timeout for a request that match accepts.
func (f *FakeAPI) WaitRequest(timeout time.Duration, match func(Request) bool) (Request, bool) {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		f.mu.Lock()
		for _, r := range f.requests {
			if match(r) {
				f.mu.Unlock()
				return r, true
			}
		}
		ch := f.arrived
		f.mu.Unlock()
		select {
		case <-ch:
		case <-deadline.C:
			return Request{}, false
		}
	}
}

func (f *FakeAPI) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 16<<20))
	var req Request
	_ = json.Unmarshal(body, &req)
	req.Path = r.URL.Path
	switch {
	case strings.HasSuffix(r.URL.Path, ":streamGenerateContent"):
		f.mu.Lock()
		f.requests = append(f.requests, req)
		close(f.arrived)
		f.arrived = make(chan struct{})
		parts := f.script(req)
		f.mu.Unlock()
		w.Header().Set("Content-Type", "text/event-stream")
		fmt.Fprintf(w, "data: %s\n\n", candidate(parts))
	case strings.HasSuffix(r.URL.Path, ":generateContent"):
		// Side requests (routing, titles, checks) want a short text.
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(candidate([]Part{{Text: `{"reasoning":"test","model_choice":"flash"}`}}))
	case strings.HasSuffix(r.URL.Path, ":countTokens"):
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"totalTokens":10}`))
	default:
		http.NotFound(w, r)
	}
}

func candidate(parts []Part) []byte {
	b, _ := json.Marshal(map[string]any{
		"candidates": []any{map[string]any{
			"content": Content{Role: "model", Parts: parts}, "finishReason": "STOP", "index": 0,
		}},
		"usageMetadata": map[string]any{"promptTokenCount": 10, "candidatesTokenCount": 5, "totalTokenCount": 15},
	})
	return b
}
