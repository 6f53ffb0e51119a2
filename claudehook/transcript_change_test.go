package claudehook

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/ct-dev/ct/wire"
)

// A file tool's result record carries the hunks Claude Code applied; the
// tool_result entry carries them as a unified diff with its counts.
func TestParserFileChange(t *testing.T) {
	var p Parser
	p.Line([]byte(`{"type":"assistant","message":{"content":[{"type":"tool_use","id":"t1","name":"Edit","input":{"file_path":"/p/a.go"}},{"type":"tool_use","id":"t2","name":"Write","input":{"file_path":"/p/new.txt"}},{"type":"tool_use","id":"t3","name":"Bash","input":{}}]}}`))
	edit := p.Line([]byte(`{"type":"user","message":{"content":[{"type":"tool_result","tool_use_id":"t1","content":"ok"}]},"toolUseResult":{"filePath":"/p/a.go","oldString":"b","newString":"c","structuredPatch":[{"oldStart":1,"oldLines":3,"newStart":1,"newLines":3,"lines":[" a","-b","+c"," d"]}]}}`))
	if len(edit) != 1 || edit[0].Change == nil {
		t.Fatalf("Edit result: %+v", edit)
	}
	want := "--- /p/a.go\n+++ /p/a.go\n@@ -1,3 +1,3 @@\n a\n-b\n+c\n d\n"
	if c := edit[0].Change; c.Path != "/p/a.go" || c.Diff != want || c.Added != 1 || c.Removed != 1 {
		t.Fatalf("Edit change: %+v", c)
	}
	create := p.Line([]byte(`{"type":"user","message":{"content":[{"type":"tool_result","tool_use_id":"t2","content":"ok"}]},"toolUseResult":{"type":"create","filePath":"/p/new.txt","content":"one\ntwo\n","structuredPatch":[]}}`))
	if c := create[0].Change; c == nil || c.Added != 2 || !strings.Contains(c.Diff, "+one\n+two\n") {
		t.Fatalf("Write create: %+v", c)
	}
	bash := p.Line([]byte(`{"type":"user","message":{"content":[{"type":"tool_result","tool_use_id":"t3","content":"ok"}]},"toolUseResult":{"filePath":"/p/x","structuredPatch":[{"lines":["+x"]}]}}`))
	if bash[0].Change != nil {
		t.Fatalf("Bash result got a change: %+v", bash[0].Change)
	}
}

// A huge diff is cut to wire.MaxEntryDiff with a note, and the entry's
// envelope still fits the hub's limit even when JSON escapes every byte.
func TestFileChangeCapped(t *testing.T) {
	lines := make([]string, 0, 20000)
	for range 20000 {
		lines = append(lines, "+\x01\x02\x03 line")
	}
	raw, _ := json.Marshal(map[string]any{"filePath": "/p/big", "structuredPatch": []map[string]any{{"oldStart": 1, "newStart": 1, "newLines": 20000, "lines": lines}}})
	c := entryChange("Edit", raw)
	if c == nil || len(c.Diff) > wire.MaxEntryDiff+100 || !strings.Contains(c.Diff, "more bytes of diff not shown") || c.Added != 20000 {
		t.Fatalf("capped change: %d bytes, added %d", len(c.Diff), c.Added)
	}
	e, err := entryEnvelope(wire.TranscriptEntry{Kind: wire.EntryToolResult, Tool: "Edit", Change: c})
	if err != nil || len(e.Payload) > maxEntryOutput {
		t.Fatalf("envelope %d bytes (limit %d), %v", len(e.Payload), maxEntryOutput, err)
	}
}
