package hub

import (
	"slices"
	"sync"
	"testing"

	"github.com/ct-dev/ct/wire"
)

// auditLog is an Auditor that keeps what it is told.
type auditLog struct {
	mu      sync.Mutex
	entries []string
}

func (a *auditLog) Record(actor, action, subject, _ string) {
	a.mu.Lock()
	a.entries = append(a.entries, actor+" "+action+" "+subject)
	a.mu.Unlock()
}

// TestWheelIsAudited: the hub's wheel changes reach its Auditor, naming the
// session in the subject.
func TestWheelIsAudited(t *testing.T) {
	th := newTestHub(t)
	const sid = "sess-audit"
	tr, done, _ := th.connect(t, sid)
	log := &auditLog{}
	th.opts.Audit = log // as hub.Options{Audit} would
	if err := th.DoWheel(sid, "ann", false, WheelTake); err != nil {
		t.Fatal(err)
	}
	log.mu.Lock()
	got := slices.Clone(log.entries)
	log.mu.Unlock()
	if want := []string{"ann wheel.take " + sid + ": ann took the free wheel"}; !slices.Equal(got, want) {
		t.Fatalf("audit log %q, want %q", got, want)
	}
	finish(t, tr, done)
}

// callLog is a Listener that logs each call with its name.
type callLog struct {
	name  string
	calls *[]string
}

func (c callLog) add(what string)                    { *c.calls = append(*c.calls, c.name+" "+what) }
func (c callLog) ScreenChanged(string, ScreenUpdate) { c.add("screen") }
func (c callLog) LobbyChanged()                      { c.add("lobby") }
func (c callLog) PromptsChanged(string, string)      { c.add("prompts") }
func (c callLog) WheelChanged(string)                { c.add("wheel") }
func (c callLog) TranscriptAdded(string, uint64, wire.TranscriptEntry) {
	c.add("transcript")
}

// TestListenersFanOut: every listener hears every change, in list order.
func TestListenersFanOut(t *testing.T) {
	var calls []string
	var ls Listener = Listeners{callLog{"a", &calls}, NopListener{}, callLog{"b", &calls}}
	ls.ScreenChanged("s", ScreenUpdate{})
	ls.LobbyChanged()
	ls.PromptsChanged("s", "p")
	ls.WheelChanged("s")
	ls.TranscriptAdded("s", 1, wire.TranscriptEntry{})
	want := []string{"a screen", "b screen", "a lobby", "b lobby", "a prompts", "b prompts", "a wheel", "b wheel", "a transcript", "b transcript"}
	if !slices.Equal(calls, want) {
		t.Fatalf("calls %q, want %q", calls, want)
	}
}
