package hub

import (
	"strings"
	"testing"
	"time"
)

// orderListener records, in order, the first frame showing want and every
// prompt change.
type orderListener struct {
	recorder
	want  string
	order chan string
}

func (l *orderListener) ScreenChanged(_ string, u ScreenUpdate) {
	for _, r := range u.Rows {
		if strings.Contains(r.Text(), l.want) {
			l.order <- "screen"
			return
		}
	}
}

func (l *orderListener) PromptsChanged(string, string) { l.order <- "prompt" }

// TestFramePublishedBeforeScreenRules: output goes out as a frame before the
// screen rules read the whole screen and match it (issue 17: matching costs
// more than the frame, and a keystroke's echo must not wait for it). Before,
// the rules ran first, so a question's prompt was opened (and announced)
// before the frame that shows the question.
func TestFramePublishedBeforeScreenRules(t *testing.T) {
	th := newTestHub(t)
	l := &orderListener{want: "Overwrite?", order: make(chan string, 16)}
	th.SetListener(l)
	const sid = "sess-order"
	tr, done, _ := th.connect(t, sid)
	th.Watch(sid, +1)
	tr.toHub <- output(1, "Overwrite? [Y/n] ")
	var got []string
	for len(got) < 2 {
		select {
		case ev := <-l.order:
			got = append(got, ev)
		case <-time.After(waitLimit):
			t.Fatalf("after %v only %v; want a frame and a prompt", waitLimit, got)
		}
	}
	if got[0] != "screen" {
		t.Fatalf("events in order %v: the rules' prompt came before the frame showing the question", got)
	}
	th.waitPendingPrompt(t, "Overwrite")
	finish(t, tr, done)
}
