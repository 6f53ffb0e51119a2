package hub

import (
	"fmt"
	"testing"
	"time"

	"github.com/ct-dev/ct/wire"
)

// The hub keeps the slash commands a session.start declares only as far as
// wire.CleanCommands allows, whatever the wrap sent, and only while the
// wrap is connected.
func TestCommandsFromSessionStartAreBounded(t *testing.T) {
	th := newTestHub(t)
	cmds := []wire.SlashCommand{{Name: "../../etc/passwd"}, {Name: "shout", Description: "Shout\nit"}}
	for i := range wire.MaxCommands + 10 {
		cmds = append(cmds, wire.SlashCommand{Name: fmt.Sprintf("c%d", i)})
	}
	tr, done, _ := th.connectAs(t, "sess-cmds", wire.SessionStart{Command: "claude", Cwd: "/tmp", Cols: 40, Rows: 5, StartedAt: time.Now().UTC(), Commands: cmds})
	// The wrap hears session.ack before the connection is attached (the
	// send loop starts first): the commands are there once it is.
	got := th.Commands("sess-cmds")
	for deadline := time.Now().Add(waitLimit); got == nil && time.Now().Before(deadline); got = th.Commands("sess-cmds") {
		time.Sleep(time.Millisecond) // polling interval, not synchronisation
	}
	if len(got) == 0 {
		t.Fatal("the hub never listed the session's commands")
	}
	if len(got) != wire.MaxCommands || got[0].Name != "shout" || got[0].Description != "Shout it" {
		t.Fatalf("the hub keeps %d commands, first %+v", len(got), got[0])
	}
	finish(t, tr, done)
	if got := th.Commands("sess-cmds"); got != nil {
		t.Errorf("an offline session still lists %d commands", len(got))
	}
}
