package handlers

import (
	"net/url"
	"testing"

	"github.com/ct-dev/ct/db"
)

// A phone's answer names only the question's own options; "Other" text
// replaces a single choice and joins a multi-select one.
func TestFormAnswers(t *testing.T) {
	p := db.Prompt{Tool: "AskUserQuestion", Input: []byte(`{"questions":[
		{"question":"One?","multiSelect":false,"options":[{"label":"A"},{"label":"B"}]},
		{"question":"Many?","multiSelect":true,"options":[{"label":"X"},{"label":"Y"}]}]}`)}
	got, err := formAnswers(p, url.Values{"q0": {"B"}, "q1": {"X", "Y"}, "q1-other": {"Z"}})
	if err != nil || got["One?"] != "B" || got["Many?"] != "X, Y, Z" {
		t.Fatalf("answers %v, %v", got, err)
	}
	got, err = formAnswers(p, url.Values{"q0": {"A"}, "q0-other": {"mine"}, "q1": {"Y"}})
	if err != nil || got["One?"] != "mine" {
		t.Fatalf("other answer %v, %v", got, err)
	}
	for _, bad := range []url.Values{
		{"q0": {"C"}, "q1": {"X"}},      // not an option
		{"q0": {"A", "B"}, "q1": {"X"}}, // two answers to a single choice
		{"q0": {"A"}},                   // a question unanswered
	} {
		if _, err := formAnswers(p, bad); err == nil {
			t.Errorf("formAnswers(%v) accepted", bad)
		}
	}
}
