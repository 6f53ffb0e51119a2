package handlers

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/ct-dev/ct/db"
	"github.com/ct-dev/ct/hub"
	"github.com/ct-dev/ct/views"
)

// askInput is the part of AskUserQuestion's input a person answers.
type askInput struct {
	Questions []struct {
		Question    string `json:"question"`
		Header      string `json:"header"`
		MultiSelect bool   `json:"multiSelect"`
		Options     []struct {
			Label       string `json:"label"`
			Description string `json:"description"`
		} `json:"options"`
	} `json:"questions"`
}

// planChoices are the approvals Claude Code's plan dialog offers (2.1.33x:
// "Yes, manually approve edits"; its "Yes, and use auto mode" needs
// Anthropic's servers to check each action, so ct does not offer it).
// Keeping planning is a deny with the feedback, "Tell Claude what to change".
var planChoices = []views.Choice{{Value: "plan-default", Label: "Yes, manually approve edits"}}

// planModeOf maps a plan choice's value to the mode the plan goes on in.
func planModeOf(value string) (string, bool) {
	for _, c := range planChoices {
		if c.Value == value {
			return strings.TrimPrefix(value, "plan-"), true
		}
	}
	return "", false
}

// describeSpecial lays out the prompts that are no permission question:
// AskUserQuestion's questions with their options, ExitPlanMode's plan.
func describeSpecial(m *views.Prompt, p db.Prompt) bool {
	switch p.Tool {
	case hub.ToolAskUser:
		var in askInput
		_ = json.Unmarshal(p.Input, &in)
		m.Title = "Answer Claude's question"
		if len(in.Questions) > 1 {
			m.Title = "Answer Claude's questions"
		}
		for i, q := range in.Questions {
			vq := views.Question{Name: "q" + strconv.Itoa(i), Header: q.Header, Text: q.Question, Multi: q.MultiSelect}
			for _, o := range q.Options {
				vq.Options = append(vq.Options, views.Option{Label: o.Label, Description: o.Description})
			}
			m.Questions = append(m.Questions, vq)
		}
		keys := make([]string, 0, len(p.Answers))
		for k := range p.Answers {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			m.Answers = append(m.Answers, views.Field{Label: k, Value: p.Answers[k]})
		}
	case hub.ToolExitPlan:
		var in struct {
			Plan string `json:"plan"`
			Path string `json:"planFilePath"`
		}
		_ = json.Unmarshal(p.Input, &in)
		m.Title, m.IsPlan, m.PlanChoices = "Ready to code? Here is Claude's plan", true, planChoices
		var b bytes.Buffer
		if in.Plan != "" && newMarkdown().Convert([]byte(in.Plan), &b) == nil {
			m.PlanHTML = b.String()
		}
		if in.Plan == "" {
			m.Fields = append(m.Fields, views.Field{Label: "Plan", Value: "Claude wants to leave plan mode (it wrote no plan)"})
		}
		if in.Path != "" {
			m.Fields = append(m.Fields, views.Field{Label: "Plan file", Value: in.Path})
		}
	default:
		return false
	}
	return true
}

// formAnswers reads AskUserQuestion's answers from a form: for question i,
// the chosen option labels in q<i> (one, or several where it is
// multi-select) and free text in q<i>-other ("Other"). Labels must be the
// question's own; answers are joined with ", " as Claude Code's dialog
// joins them.
func formAnswers(p db.Prompt, form url.Values) (map[string]string, error) {
	var in askInput
	if json.Unmarshal(p.Input, &in) != nil || len(in.Questions) == 0 {
		return nil, errorf(400, "This prompt has no questions to answer.")
	}
	out := map[string]string{}
	for i, q := range in.Questions {
		name := "q" + strconv.Itoa(i)
		valid := map[string]bool{}
		for _, o := range q.Options {
			valid[o.Label] = true
		}
		var picked []string
		for _, v := range form[name] {
			if !valid[v] {
				return nil, errorf(400, fmt.Sprintf("%q is not an option of %q; choose one of its options or write an answer under Other.", v, q.Question))
			}
			picked = append(picked, v)
		}
		if !q.MultiSelect && len(picked) > 1 {
			return nil, errorf(400, fmt.Sprintf("%q takes one answer; choose one option.", q.Question))
		}
		other := strings.TrimSpace(form.Get(name + "-other"))
		switch {
		case other != "" && q.MultiSelect:
			picked = append(picked, other)
		case other != "":
			picked = []string{other} // typed text replaces a choice, as in Claude's dialog
		}
		if len(picked) == 0 {
			return nil, errorf(400, fmt.Sprintf("Answer %q first: choose an option or write one under Other.", q.Question))
		}
		out[q.Question] = strings.Join(picked, ", ")
	}
	return out, nil
}

// fromAgent says which agent asks, when it is not the main thread.
func fromAgent(p db.Prompt) string {
	switch {
	case p.AgentType != "":
		return "from the " + p.AgentType + " agent"
	case p.AgentID != "":
		return "from a subagent"
	}
	return ""
}
