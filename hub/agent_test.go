package hub

import (
	"testing"
	"time"

	"github.com/ct-dev/ct/db"
	"github.com/ct-dev/ct/wire"
)

// The hub turns screen rules on or off from the wrap's declaration, never
// from the command's name: a claude session declared without hooks (ct wrap
// --no-hooks) gets screen prompts, one declared with hooks does not.
func TestScreenRulesFollowDeclaredHooks(t *testing.T) {
	th := newTestHub(t)
	start := func(hooks bool) wire.SessionStart {
		return wire.SessionStart{Command: "claude", Cwd: "/tmp", Cols: 40, Rows: 5, StartedAt: time.Now().UTC(), Agent: wire.AgentClaude, Hooks: hooks}
	}

	tr, done, _ := th.connectAs(t, "sess-no-hooks", start(false))
	tr.toHub <- output(1, "Run the migration? [y/N] ")
	p := th.waitPendingPrompt(t, "Run the migration?")
	if p.SessionID != "sess-no-hooks" || p.Kind != "screen" {
		t.Fatalf("prompt %+v, want a screen prompt of sess-no-hooks", p)
	}
	finish(t, tr, done)

	tr, done, _ = th.connectAs(t, "sess-hooks", start(true))
	tr.toHub <- output(1, "Drop the table? [y/N] ")
	// The resize is fed after the question (one worker feeds a session in
	// order), so once the screen has the new size the question has been
	// through the rules.
	resize := envelope(t, wire.TypePtyResize, wire.Resize{Cols: 50, Rows: 5})
	resize.Seq = 2
	tr.toHub <- resize
	deadline := time.Now().Add(waitLimit)
	for {
		snap, err := th.Screen("sess-hooks")
		if err != nil {
			t.Fatal(err)
		}
		if snap.Cols == 50 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the screen never took the resize (cols %d)", snap.Cols)
		}
		time.Sleep(10 * time.Millisecond) // polling the screen, not synchronising on time
	}
	ps, err := th.store.Prompts(db.PromptFilter{SessionID: "sess-hooks"})
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 0 {
		t.Errorf("a session declared with hooks got %d screen prompts (first: %s)", len(ps), ps[0].Input)
	}
	finish(t, tr, done)
}
