package geminihook

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/ct-dev/ct/claudehook"
	"github.com/ct-dev/ct/wire"
)

// chatLines parses data line by line with c.
func chatLines(c *Chat, data []byte) []wire.TranscriptEntry {
	var out []wire.TranscriptEntry
	for _, l := range bytes.Split(data, []byte("\n")) {
		out = append(out, c.Line(l)...)
	}
	return out
}

// TestChatFromRealRecording reads a chat recording the real Gemini CLI
// 0.61.0 wrote (geminitest's TestDialogCapture with CT_CAPTURE_DIR): the
// prompt, the shell call as Bash, its output and the reply, once each,
// although Gemini wrote the model's message twice and a $set of its own
// session context.
func TestChatFromRealRecording(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "chat-approve.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	c := NewChat()
	got := chatLines(c, data)
	kinds := make([]string, len(got))
	for i, e := range got {
		kinds[i] = e.Kind
	}
	want := []string{wire.EntryUser, wire.EntryToolCall, wire.EntryToolResult, wire.EntryAssistant}
	if strings.Join(kinds, ",") != strings.Join(want, ",") {
		t.Fatalf("kinds %v, want %v: %+v", kinds, want, got)
	}
	if got[0].Text != "run the command" || got[3].Text != "all done" {
		t.Errorf("prompt %q, reply %q", got[0].Text, got[3].Text)
	}
	var in map[string]string
	_ = json.Unmarshal(got[1].Input, &in)
	if got[1].Tool != "Bash" || in["command"] != "echo gemini-ran > proof.txt" || in["description"] != "a scripted command" {
		t.Errorf("call %s %s", got[1].Tool, got[1].Input)
	}
	if got[2].ID != got[1].ID || got[2].Error || !strings.HasPrefix(got[2].Text, "Output: (empty)") {
		t.Errorf("result %+v", got[2])
	}
	if again := chatLines(c, data); len(again) != 0 {
		t.Errorf("a re-read file gave %d entries again: %+v", len(again), again)
	}
}

// TestChatToolCallUpdates: a call copied before it finished shows once,
// its result once it has a final status; a denied call is an error.
func TestChatToolCallUpdates(t *testing.T) {
	c := NewChat()
	running := `{"id":"m1","type":"gemini","content":"","toolCalls":[{"id":"c1","name":"run_shell_command","args":{"command":"ls"},"status":"executing"}]}`
	done := `{"id":"m1","type":"gemini","content":"","toolCalls":[{"id":"c1","name":"run_shell_command","args":{"command":"ls"},"status":"error","result":[{"functionResponse":{"response":{"error":"Tool execution blocked: no"}}}]}]}`
	a := c.Line([]byte(running))
	b := c.Line([]byte(done))
	d := c.Line([]byte(done))
	if len(a) != 1 || a[0].Kind != wire.EntryToolCall {
		t.Fatalf("running: %+v", a)
	}
	if len(b) != 1 || b[0].Kind != wire.EntryToolResult || !b[0].Error || b[0].Text != "Tool execution blocked: no" {
		t.Fatalf("done: %+v", b)
	}
	if len(d) != 0 {
		t.Fatalf("repeat: %+v", d)
	}
}

// TestChatTailHalfWrittenLine follows a recording through the tailer the
// bridge uses while Gemini appends: half a record gives nothing (and no
// garbage), the rest of it gives its entry, a shrunk file gives nothing
// twice.
func TestChatTailHalfWrittenLine(t *testing.T) {
	path := filepath.Join(t.TempDir(), "session.jsonl")
	var mu sync.Mutex
	var got []wire.TranscriptEntry
	tl := claudehook.NewTailerWith(NewChat(), func(e wire.TranscriptEntry) { mu.Lock(); got = append(got, e); mu.Unlock() })
	defer tl.Close()
	rec := `{"id":"u1","timestamp":"2026-01-01T00:00:00Z","type":"user","content":[{"text":"hello there"}]}` + "\n"
	write := func(s string, flag int) {
		f, err := os.OpenFile(path, flag|os.O_WRONLY|os.O_CREATE, 0o600)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = f.WriteString(s)
		f.Close()
	}
	count := func() int { mu.Lock(); defer mu.Unlock(); return len(got) }
	write(rec[:40], os.O_TRUNC)
	tl.Follow(path)
	tl.Poll()
	if n := count(); n != 0 {
		t.Fatalf("half a record gave %d entries", n)
	}
	write(rec[40:], os.O_APPEND)
	tl.Poll()
	if n := count(); n != 1 || got[0].Text != "hello there" {
		t.Fatalf("entries %+v", got)
	}
	write(rec[:10], os.O_TRUNC) // replaced: shorter, so read from the start
	tl.Poll()
	write(rec, os.O_TRUNC)
	tl.Poll()
	if n := count(); n != 1 {
		t.Fatalf("a rewritten file emitted again: %+v", got)
	}
}

// FuzzChatLine: no input panics, every entry is a known kind, and a line
// fed twice gives nothing the second time.
func FuzzChatLine(f *testing.F) {
	data, _ := os.ReadFile(filepath.Join("testdata", "chat-approve.jsonl"))
	for _, l := range bytes.Split(data, []byte("\n")) {
		f.Add(l)
	}
	f.Add([]byte(`{"id":"x","type":"gemini","content":[{"text":"a"},{"text":"b","thought":true}],"toolCalls":[{"id":"c","name":"write_file","args":{"file_path":"a"},"status":"cancelled"}]}`))
	f.Add([]byte(`{"id":"x","type":"error","content":"quota"}`))
	f.Fuzz(func(t *testing.T, line []byte) {
		c := NewChat()
		for _, e := range c.Line(line) {
			switch e.Kind {
			case wire.EntryUser, wire.EntryAssistant, wire.EntryToolCall, wire.EntryToolResult, wire.EntryError:
			default:
				t.Fatalf("kind %q", e.Kind)
			}
			if e.Input != nil && !json.Valid(e.Input) {
				t.Fatalf("invalid input %q", e.Input)
			}
		}
		if again := c.Line(line); len(again) != 0 {
			t.Fatalf("a repeated line gave %+v", again)
		}
	})
}
