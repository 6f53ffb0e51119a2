package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/ct-dev/ct/claudetest"
)

// Claude Code's AskUserQuestion and ExitPlanMode answered from a phone: a
// bare allow is ignored for them, so the answer must reach Claude as the
// tool input with the answers (or the plan) in it.

// askQuestions is the fake model's AskUserQuestion: one question with one
// answer, one where several may be chosen.
var askQuestions = map[string]any{"questions": []any{
	map[string]any{"question": "Which color should the proof be?", "header": "Color", "multiSelect": false, "options": []any{
		map[string]any{"label": "Red", "description": "a warm proof"}, map[string]any{"label": "Blue", "description": "a cold proof"}}},
	map[string]any{"question": "Which sizes?", "header": "Sizes", "multiSelect": true, "options": []any{
		map[string]any{"label": "Small", "description": "S"}, map[string]any{"label": "Large", "description": "L"}}},
}}

func TestBrowserAnswerAskUserQuestion(t *testing.T) {
	claudetest.Binary(t)
	b := StartPhone(t)
	h := StartHub(t, t.TempDir(), "127.0.0.1:0")
	Login(t, b, h.URL, "admin", AdminPassword)
	c := startClaude(t, h.URL)
	c.api.SetScript(claudetest.ToolThenText(claudetest.Reply{Tool: &claudetest.ToolUse{Name: "AskUserQuestion", Input: askQuestions}}, replyText))
	c.ask()
	p := waitPending(t, h.URL)
	if p.Tool != "AskUserQuestion" {
		t.Fatalf("prompt = %+v", p)
	}
	c.term.WaitFor("Which color should the proof be?", claudeWait) // Claude's own dialog is up too

	b.Do(t, "open the prompt", chromedp.Navigate(h.URL+"/p/"+p.ID))
	card := "#p-" + p.ID
	b.WaitJS(t, 10*time.Second, "the questions with their options", `!!document.querySelector('`+card+` form.ask input[type=radio][value="Blue"]') &&
		!!document.querySelector('`+card+` form.ask input[type=checkbox][value="Large"]') && !!document.querySelector('`+card+` form.ask input.other')`, jsPage)
	checkLayout(t, b, "AskUserQuestion on a phone")
	for _, opt := range []string{`label.option:has(input[value="Blue"])`, `label.option:has(input[value="Small"])`, `label.option:has(input[value="Large"])`} {
		if h := Eval[float64](t, b, `document.querySelector('`+card+` `+opt+`').getBoundingClientRect().height`); h < 44 {
			t.Errorf("option %s is %.0f px tall, under 44", opt, h)
		}
		b.Do(t, "tap "+opt, chromedp.Tap(chromedp.CSS(card+" "+opt)))
	}
	b.Do(t, "tap Send answer", chromedp.Tap(chromedp.CSS(card+` button[value=answer]`)))
	b.WaitJS(t, claudeWait, "the card saying who answered", `/^Approved by admin from phone\b/.test((document.querySelector('`+card+` .outcome') || {}).textContent || '')`, jsPage)

	// The model receives the answers in the tool result, and Claude goes on.
	c.term.WaitFor(replyText, claudeWait)
	res := c.api.ToolResults()
	if len(res) != 1 || res[0].IsError {
		t.Fatalf("tool results = %+v", res)
	}
	text := res[0].ResultText()
	t.Logf("tool result: %s", text)
	for _, want := range []string{`"Which color should the proof be?"="Blue"`, `"Which sizes?"="Small, Large"`} {
		if !strings.Contains(text, want) {
			t.Errorf("the model's tool result lacks %s: %q", want, text)
		}
	}
}

// planPathRE finds the plan file Claude Code names in plan mode's system reminder.
var planPathRE = regexp.MustCompile(`/[^\s"\\]*/plans/[^\s"\\]*\.md`)

const planText = "# Make the proof\n\n1. Write **proof.txt** with `hello`\n2. Say it is done\n"

func TestBrowserApprovePlan(t *testing.T) {
	claudetest.Binary(t)
	b := StartPhone(t)
	h := StartHub(t, t.TempDir(), "127.0.0.1:0")
	Login(t, b, h.URL, "admin", AdminPassword)
	c := startClaudeWith(t, h.URL, "plan mode on", "--permission-mode", "plan")
	proof := filepath.Join(c.project, "proof.txt")
	c.api.SetScript(func(req *claudetest.MessagesRequest) claudetest.Reply {
		n := req.Turns()
		switch {
		case n == 0: // write the plan where plan mode says, as Claude does
			rs := c.api.Requests()
			path := planPathRE.FindString(string(rs[len(rs)-1].Body))
			t.Logf("plan file %q", path)
			return claudetest.Reply{Tool: &claudetest.ToolUse{Name: "Write", Input: map[string]any{"file_path": path, "content": planText}}}
		case n == 1:
			return claudetest.Reply{Tool: &claudetest.ToolUse{Name: "ExitPlanMode", Input: map[string]any{}}}
		case n == 2: // the plan approved: edit
			return claudetest.Reply{Tool: &claudetest.ToolUse{Name: "Write", Input: map[string]any{"file_path": proof, "content": "hello\n"}}}
		}
		return claudetest.TextReply(replyText)
	})
	c.ask()
	p := waitPending(t, h.URL)
	if p.Tool != "ExitPlanMode" {
		t.Fatalf("prompt = %+v", p)
	}
	b.Do(t, "open the prompt", chromedp.Navigate(h.URL+"/p/"+p.ID))
	card := "#p-" + p.ID
	b.WaitJS(t, 10*time.Second, "the plan, rendered", `(() => { const pl = document.querySelector('`+card+` .plan');
		return !!pl && !!pl.querySelector('h1') && pl.querySelector('strong').textContent === 'proof.txt' && pl.innerText.includes('Say it is done'); })()`, jsPage)
	checkLayout(t, b, "a plan on a phone")
	b.Do(t, "tap Yes, manually approve edits", chromedp.Tap(chromedp.CSS(card+` button[value=plan-default]`)))
	b.WaitJS(t, claudeWait, "the card saying who approved it", `/^Approved by admin from phone\b/.test((document.querySelector('`+card+` .outcome') || {}).textContent || '')`, jsPage)

	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("screen:\n%s", c.term.Capture())
		}
	})
	// Claude proceeds: it asks to write the file (edits are approved one by one now).
	var w apiPrompt
	WaitFor(t, claudeWait, "Claude's Write prompt after the plan", func() bool {
		for _, q := range prompts(h.URL, "?state=pending") {
			if q.Tool == "Write" {
				w = q
				return true
			}
		}
		return false
	})
	if code, body := PostJSON(h.URL+"/api/v1/prompts/"+w.ID+"/decision", map[string]string{"decision": "allow"}); code != 200 {
		t.Fatalf("approve the write: %d %s", code, body)
	}
	WaitFor(t, claudeWait, "proof.txt written after the plan", func() bool {
		b, err := os.ReadFile(proof)
		return err == nil && string(b) == "hello\n"
	})
	var first claudetest.Block
	for _, r := range c.api.ToolResults() {
		if strings.Contains(r.ResultText(), "plan") {
			first = r
		}
	}
	raw, _ := json.Marshal(first)
	t.Logf("ExitPlanMode's tool result: %s", raw)
	if first.IsError {
		t.Errorf("the approved plan came back as an error: %s", raw)
	}
}
