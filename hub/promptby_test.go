package hub

import (
	"testing"
	"time"

	"github.com/ct-dev/ct/wire"
)

// Issue 14, finding 8: the transcript showed "You" for every prompt
// whoever typed it. The hub now records who sent it: the person whose input
// through the hub came last, or the workstation's keyboard.
func TestPromptAttributedToWhoTypedIt(t *testing.T) {
	th := newTestHub(t)
	const sid = "sess-prompt-by"
	tr, done, _ := th.connect(t, sid)
	s, err := th.load(sid)
	if err != nil {
		t.Fatal(err)
	}
	by := func() string {
		t.Helper()
		var te wire.TranscriptEntry
		e := s.attribute(envelope(t, wire.TypeTranscriptEntry, wire.TranscriptEntry{Kind: wire.EntryUser, TS: time.Now(), Text: "run the tests", By: "forged"}))
		if err := e.Decode(&te); err != nil {
			t.Fatal(err)
		}
		return te.By
	}
	if got := by(); got != "" {
		t.Fatalf("with no input seen: %q, want none (a wrap's own value is dropped)", got)
	}
	if err := th.InputAs(sid, "ann", []byte("run the tests\r")); err != nil {
		t.Fatal(err)
	}
	if got := by(); got != "ann from the hub" {
		t.Fatalf("after ann's input: %q", got)
	}
	th.terminalActive(s)
	if got := by(); got != "at the terminal" {
		t.Fatalf("after typing at the workstation: %q", got)
	}
	finish(t, tr, done)
}
