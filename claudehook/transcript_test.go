package claudehook

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ct-dev/ct/wire"
)

// A turn as Claude Code 2.1.330 writes it (trimmed to the fields ct reads,
// plus some it must skip): a typed prompt, bookkeeping records, a tool call,
// its result, the reply.
const sampleTurn = `{"type":"mode","mode":"normal","sessionId":"s1"}
{"type":"file-history-snapshot","messageId":"m1","snapshot":{},"isSnapshotUpdate":false}
{"isSidechain":false,"type":"user","message":{"role":"user","content":"please make the proof file"},"uuid":"u1","timestamp":"2026-11-22T04:31:18.503Z"}
{"isSidechain":false,"attachment":{"type":"date","date":"2026-11-22"},"type":"attachment","timestamp":"2026-11-22T04:31:18.670Z"}
{"type":"api-request-blob","message":{"role":"user","content":[{"type":"text","text":"not a conversation step"}]}}
{"isSidechain":false,"message":{"content":[{"id":"toolu_1","input":{"command":"echo hello > proof.txt","description":"Create the proof file"},"name":"Bash","type":"tool_use"}],"role":"assistant"},"type":"assistant","timestamp":"2026-11-22T04:31:18.942Z"}
{"isSidechain":false,"type":"user","message":{"role":"user","content":[{"tool_use_id":"toolu_1","type":"tool_result","content":"(Bash completed with no output)","is_error":false}]},"timestamp":"2026-11-22T04:31:19.826Z"}
{"isSidechain":false,"message":{"content":[{"type":"thinking","thinking":"hmm"},{"text":"Here is **bold** and ` + "`code`" + `.","type":"text"}],"role":"assistant"},"type":"assistant","timestamp":"2026-11-22T04:31:19.891Z"}
{"isSidechain":false,"type":"system","subtype":"turn_duration","durationMs":942,"timestamp":"2026-11-22T04:31:19.910Z"}
`

func parseAll(t *testing.T, text string) []wire.TranscriptEntry {
	t.Helper()
	var p Parser
	var out []wire.TranscriptEntry
	for _, line := range strings.Split(text, "\n") {
		out = append(out, p.Line([]byte(line))...)
	}
	return out
}

func TestParserTurn(t *testing.T) {
	got := parseAll(t, sampleTurn)
	want := []struct{ kind, text, tool string }{
		{wire.EntryUser, "please make the proof file", ""},
		{wire.EntryToolCall, "", "Bash"},
		{wire.EntryToolResult, "(Bash completed with no output)", "Bash"},
		{wire.EntryAssistant, "Here is **bold** and `code`.", ""},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d entries, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		g := got[i]
		if g.Kind != w.kind || g.Text != w.text || g.Tool != w.tool {
			t.Errorf("entry %d = %+v, want %+v", i, g, w)
		}
	}
	var in struct{ Command string }
	if err := json.Unmarshal(got[1].Input, &in); err != nil || in.Command != "echo hello > proof.txt" {
		t.Errorf("tool call input = %s (%v)", got[1].Input, err)
	}
	if got[1].ID != "toolu_1" || got[2].ID != "toolu_1" {
		t.Errorf("tool ids = %q, %q", got[1].ID, got[2].ID)
	}
	if want := time.Date(2026, 11, 22, 4, 31, 18, 503e6, time.UTC); !got[0].TS.Equal(want) {
		t.Errorf("ts = %v, want %v", got[0].TS, want)
	}
}

func TestParserSkipsWhatNobodyTyped(t *testing.T) {
	lines := `{"type":"user","isMeta":true,"message":{"content":"Caveat: meta"}}
{"type":"user","message":{"content":"<system-reminder>\nx\n</system-reminder>"}}
{"type":"user","message":{"content":[{"type":"text","text":"<local-command-stdout>ok</local-command-stdout>"}]}}
{"type":"user","isSidechain":true,"message":{"content":"a subagent's prompt"}}
{"type":"assistant","message":{"content":[{"type":"text","text":"   "}]}}
{"type":"user","message":{"content":42}}
not json at all
{"type":"user"}
`
	if got := parseAll(t, lines); len(got) != 0 {
		t.Fatalf("got entries from lines to skip: %+v", got)
	}
}

func TestParserErrorsAndBounds(t *testing.T) {
	long := strings.Repeat("é", maxResultText) // two bytes a rune: the cut must not split one
	lines := `{"type":"assistant","isApiErrorMessage":true,"message":{"content":[{"type":"text","text":"API Error: 500"}]}}
{"type":"system","level":"error","content":"Request failed"}
{"type":"user","message":{"content":[{"type":"tool_result","tool_use_id":"x","is_error":true,"content":[{"type":"text","text":"` + long + `"}]}]}}
`
	got := parseAll(t, lines)
	if len(got) != 3 {
		t.Fatalf("got %+v", got)
	}
	if got[0].Kind != wire.EntryError || got[1].Kind != wire.EntryError || got[1].Text != "Request failed" {
		t.Errorf("errors = %+v %+v", got[0], got[1])
	}
	r := got[2]
	if r.Kind != wire.EntryToolResult || !r.Error || len(r.Text) > maxResultText+len("…") || !strings.HasSuffix(r.Text, "…") {
		t.Errorf("result: kind %s error %v len %d", r.Kind, r.Error, len(r.Text))
	}
	if !json.Valid([]byte(`"` + strings.TrimSuffix(r.Text, "…") + `"`)) {
		t.Error("cut text is not valid UTF-8 JSON")
	}
}

func TestBoundInputStaysJSON(t *testing.T) {
	big, _ := json.Marshal(map[string]string{"content": strings.Repeat("x", 3*maxEntryInput)})
	out := boundInput(big)
	if !json.Valid(out) || len(out) > maxEntryInput+16 {
		t.Fatalf("bounded input: valid %v, %d bytes", json.Valid(out), len(out))
	}
	if boundInput(json.RawMessage(`{"bad`)) != nil {
		t.Error("invalid input kept")
	}
}

func TestEntryEnvelopeFits(t *testing.T) {
	// Control characters triple or sextuple in JSON: the text is cut until it fits.
	en := wire.TranscriptEntry{Kind: wire.EntryAssistant, Text: strings.Repeat("\x01", maxEntryText)}
	e, err := entryEnvelope(en)
	if err != nil || len(e.Payload) > maxEntryOutput || e.Type != wire.TypeTranscriptEntry {
		t.Fatalf("envelope: %v, %d bytes, type %s", err, len(e.Payload), e.Type)
	}
}

// collector gathers what a Tailer emits.
type collector struct {
	mu  sync.Mutex
	got []wire.TranscriptEntry
}

func (c *collector) emit(e wire.TranscriptEntry) {
	c.mu.Lock()
	c.got = append(c.got, e)
	c.mu.Unlock()
}

func (c *collector) entries() []wire.TranscriptEntry {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]wire.TranscriptEntry(nil), c.got...)
}

func TestTailerFollowsAppendsAndPartialLines(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.jsonl")
	var c collector
	tl := NewTailer(c.emit)
	defer tl.Close()
	tl.mu.Lock()
	tl.path = path // no loop: the test polls
	tl.mu.Unlock()
	tl.Poll() // the file does not exist yet
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	lines := strings.SplitAfter(sampleTurn, "\n")
	// The prompt's line arrives in two writes: nothing until its newline.
	half := len(lines[2]) / 2
	f.WriteString(lines[0] + lines[1] + lines[2][:half])
	tl.Poll()
	if n := len(c.entries()); n != 0 {
		t.Fatalf("%d entries from a partial line", n)
	}
	f.WriteString(lines[2][half:])
	tl.Poll()
	if got := c.entries(); len(got) != 1 || got[0].Text != "please make the proof file" {
		t.Fatalf("after the newline: %+v", got)
	}
	// An over-long record is skipped whole; the lines after it still count.
	f.WriteString(`{"type":"user","message":{"content":"` + strings.Repeat("a", maxLine+10) + `"}}` + "\n")
	f.WriteString(strings.Join(lines[3:], ""))
	tl.Poll()
	got := c.entries()
	if len(got) != 4 || got[3].Kind != wire.EntryAssistant {
		t.Fatalf("after the rest: %d entries %+v", len(got), got)
	}
}

func TestTailerLoopAndNewFile(t *testing.T) {
	dir := t.TempDir()
	first, second := filepath.Join(dir, "a.jsonl"), filepath.Join(dir, "b.jsonl")
	os.WriteFile(first, []byte(`{"type":"user","message":{"content":"one"}}`+"\n"), 0o600)
	os.WriteFile(second, []byte(`{"type":"user","message":{"content":"two"}}`+"\n"), 0o600)
	var c collector
	tl := NewTailer(c.emit)
	defer tl.Close()
	tl.Follow(first)
	waitEntries(t, &c, 1)
	tl.Follow(second) // a new conversation (/clear): read from its start
	waitEntries(t, &c, 2)
	if got := c.entries(); got[0].Text != "one" || got[1].Text != "two" {
		t.Fatalf("entries = %+v", got)
	}
}

func waitEntries(t *testing.T, c *collector, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for len(c.entries()) < n {
		if time.Now().After(deadline) {
			t.Fatalf("waited for %d entries, have %+v", n, c.entries())
		}
		time.Sleep(10 * time.Millisecond) // polling for the tailer's goroutine, not synchronising on time
	}
}

func FuzzParserLine(f *testing.F) {
	for _, line := range strings.Split(sampleTurn, "\n") {
		f.Add([]byte(line))
	}
	f.Add([]byte(`{"type":"user","message":{"content":[{"type":"tool_result","content":[{"type":"text","text":"x"},{"type":"image"}]}]}}`))
	f.Add([]byte(`{"type":"assistant","message":{"content":[{"type":"tool_use","id":"a","name":"n","input":[1,2]}]}}`))
	f.Fuzz(func(t *testing.T, line []byte) {
		var p Parser
		for _, e := range p.Line(line) {
			switch e.Kind {
			case wire.EntryUser, wire.EntryAssistant, wire.EntryToolCall, wire.EntryToolResult, wire.EntryError:
			default:
				t.Fatalf("unknown kind %q", e.Kind)
			}
			if len(e.Text) > maxEntryText+len("…") {
				t.Fatalf("text of %d bytes", len(e.Text))
			}
			if e.Input != nil && !json.Valid(e.Input) {
				t.Fatalf("invalid input JSON %q", e.Input)
			}
			env, err := entryEnvelope(e)
			if err != nil || len(env.Payload) > maxEntryOutput {
				t.Fatalf("envelope: %v, %d bytes", err, len(env.Payload))
			}
		}
	})
}

// Records Claude Code writes itself in XML (a slash command, a background
// task's notification) are notes, never the person's prompt.
func TestParserNotesForCommandsAndTasks(t *testing.T) {
	lines := `{"type":"user","message":{"content":"<command-name>/clear</command-name>\n            <command-message>clear</command-message>\n            <command-args></command-args>"}}
{"type":"user","message":{"content":"<task-notification>\n<task-id>a1</task-id>\n<status>completed</status>\n<summary>Agent \"Run tests\" completed</summary>\n<result>ok</result>\n</task-notification>"}}
{"type":"user","message":{"content":[{"type":"text","text":"<command-message>review</command-message>\n<command-name>/review</command-name>\n<command-args>PR 7</command-args>"}]}}
`
	got := parseAll(t, lines)
	want := []string{"/clear: the conversation was cleared", `Agent "Run tests" completed`, "Ran /review PR 7"}
	if len(got) != len(want) {
		t.Fatalf("got %+v", got)
	}
	for i, w := range want {
		if got[i].Kind != wire.EntryNote || got[i].Text != w {
			t.Errorf("entry %d = %+v, want a note %q", i, got[i], w)
		}
	}
}
