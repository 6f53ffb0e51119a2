package handlers

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/ct-dev/ct/db"
	"github.com/ct-dev/ct/views"
)

// Issue 15, finding 9: a question on a program's screen spoke of Claude,
// offered a "Deny with message" that reaches no program, and its buttons did
// not say what they type. The card now says "Yes (yes)" / "No (no)" in the
// program's own keys and nothing about Claude.
func TestScreenPromptCardSaysWhatItTypes(t *testing.T) {
	f := newAuthFixture(t, fixtureOpts{})
	p := db.Prompt{ID: "prm-screen", SessionID: "sess-x", Node: "box", Kind: "screen", Tool: "Terminal question",
		Input: []byte(`{"question":"Proceed (yes/no)?","context":"ssh example.org","rule":"yes/no","yes":"yes","no":"no"}`),
		State: db.PromptPending, CreatedAt: time.Now().UTC()}
	m := f.srv.promptModel(p)
	m.CanAnswer = true
	var b bytes.Buffer
	if err := views.PromptCard(m, false).Render(context.Background(), &b); err != nil {
		t.Fatal(err)
	}
	html := b.String()
	for _, want := range []string{"Yes (yes)", "No (no)", "Proceed (yes/no)?"} {
		if !strings.Contains(html, want) {
			t.Errorf("card lacks %q", want)
		}
	}
	for _, not := range []string{"Claude", "Deny with message", "Rule", "Above it"} {
		if strings.Contains(html, not) {
			t.Errorf("card says %q: %s", not, html)
		}
	}
}
