package codexhook

import (
	"bufio"
	"encoding/json"
	"os"
	"testing"

	"github.com/ct-dev/ct/wire"
)

// testdata/rollout-0.171.0.jsonl is the rollout Codex 0.171.0 wrote for one
// turn against codextest's fake API: a prompt, an approved exec_command, a
// reply.
func TestRolloutReadsACodexTurn(t *testing.T) {
	f, err := os.Open("testdata/rollout-0.171.0.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var got []wire.TranscriptEntry
	var p Rollout
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		got = append(got, p.Line(sc.Bytes())...)
	}
	want := []struct{ kind, tool, text string }{
		{wire.EntryUser, "", "please make the proof"},
		{wire.EntryToolCall, "Bash", ""},
		{wire.EntryToolResult, "Bash", ""},
		{wire.EntryAssistant, "", "Done, proof written."},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d entries, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		g := got[i]
		if g.Kind != w.kind || g.Tool != w.tool || g.Text != w.text || g.TS.IsZero() {
			t.Errorf("entry %d = %+v, want %+v", i, g, w)
		}
	}
	var in struct{ Command, Description string }
	if json.Unmarshal(got[1].Input, &in) != nil || in.Command != "echo hi > proof.txt" || in.Description != "Make the proof file" ||
		got[1].ID != got[2].ID || got[2].Error {
		t.Errorf("command entries = %+v / %+v", got[1], got[2])
	}
}

func TestRolloutMarksAFailedCommand(t *testing.T) {
	line := `{"timestamp":"2026-12-01T23:53:58Z","type":"event_msg","payload":{"type":"item_completed","item":{"type":"CommandExecution","id":"c1","command":["/bin/bash","-lc","false"],"status":"completed","aggregated_output":"boom","exit_code":1}}}`
	got := Rollout{}.Line([]byte(line))
	if len(got) != 1 || !got[0].Error || got[0].Text != "boom" || got[0].ID != "c1" {
		t.Fatalf("entries = %+v, want a failed result", got)
	}
	declined := `{"type":"event_msg","payload":{"type":"item_completed","item":{"type":"CommandExecution","id":"c2","command":["ls"],"status":"declined"}}}`
	got = Rollout{}.Line([]byte(declined))
	if len(got) != 1 || !got[0].Error || got[0].Text != "not run (declined)" {
		t.Fatalf("entries = %+v, want a declined result", got)
	}
	if got := (Rollout{}).Line([]byte(`{"type":"response_item","payload":{"type":"message"}}`)); got != nil {
		t.Fatalf("model-facing record gave %+v", got)
	}
}
