package claudetest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// ShortReply answers requests that offer no tools (title and warm-up requests).
const ShortReply = "OK"

// FakeAPI is a scripted Anthropic Messages API on 127.0.0.1, closed when the test ends.
type FakeAPI struct {
	// URL is the base URL to put in ANTHROPIC_BASE_URL.
	URL string

	t   testing.TB
	srv *httptest.Server

	requests Recorder[Request]

	// mu guards everything below; handlers run on the server's goroutines.
	mu     sync.Mutex
	script Script
	queue  []Reply
	ids    int
}

// NewFakeAPI starts the fake; until scripted, every request gets a short text reply.
func NewFakeAPI(t testing.TB) *FakeAPI {
	t.Helper()
	f := &FakeAPI{t: t}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	f.URL = f.srv.URL
	t.Cleanup(f.srv.Close)
	return f
}

// SetScript makes s choose the reply to every main-loop request once the queue is empty.
func (f *FakeAPI) SetScript(s Script) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.script = s
}

// SetReplies queues replies for the next main-loop requests, one each, ahead of the script.
func (f *FakeAPI) SetReplies(replies ...Reply) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.queue = append([]Reply(nil), replies...)
}

// Requests returns a copy of every request received so far, oldest first.
func (f *FakeAPI) Requests() []Request { return f.requests.All() }

// ToolResults returns every tool_result block sent so far, oldest first.
func (f *FakeAPI) ToolResults() []Block {
	var out []Block
	for _, r := range f.Requests() {
		if r.Messages != nil {
			out = append(out, r.Messages.ToolResults()...)
		}
	}
	return out
}

// WaitRequest returns the first recorded request that match accepts, waiting up to timeout.
func (f *FakeAPI) WaitRequest(timeout time.Duration, match func(Request) bool) (Request, bool) {
	return f.requests.Wait(timeout, match)
}

func (f *FakeAPI) serve(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	rec := Request{Method: r.Method, Path: r.URL.Path, Header: r.Header.Clone(), Body: body}
	isMessages := r.Method == http.MethodPost && r.URL.Path == "/v1/messages"
	if isMessages {
		rec.Messages = new(MessagesRequest)
		if err := json.Unmarshal(body, rec.Messages); err != nil {
			f.t.Errorf("claudetest: undecodable /v1/messages body: %v\n%s", err, body)
			rec.Messages = nil
		}
	}
	f.record(rec)
	if !isMessages || rec.Messages == nil {
		// HEAD /, count_tokens, telemetry and anything else: answer harmlessly.
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, "{}")
		return
	}
	msg := f.choose(rec.Messages)
	if rec.Messages.Stream {
		writeSSE(w, msg)
	} else {
		writeJSON(w, msg)
	}
}

func (f *FakeAPI) record(rec Request) { f.requests.Add(rec) }

// choose picks the reply and renders it; the script runs outside the lock so it may call f.
func (f *FakeAPI) choose(req *MessagesRequest) map[string]any {
	f.mu.Lock()
	f.ids++
	msgID := fmt.Sprintf("msg_claudetest_%04d", f.ids)
	toolID := fmt.Sprintf("toolu_claudetest_%04d", f.ids)
	var rep *Reply
	script := f.script
	if len(req.Tools) > 0 && len(f.queue) > 0 {
		rep = &f.queue[0]
		f.queue = f.queue[1:]
	}
	f.mu.Unlock()
	switch {
	case len(req.Tools) == 0:
		rep = &Reply{Text: ShortReply}
	case rep != nil:
	case script != nil:
		r := script(req)
		rep = &r
	default:
		rep = &Reply{Text: ShortReply}
	}
	model := req.Model
	if model == "" {
		model = "claude-fake"
	}
	return rep.message(msgID, toolID, model)
}
