package claudehook

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/ct-dev/ct/wire"
)

// Tools whose allow must carry updatedInput: Claude Code ignores a bare
// {"behavior":"allow"} for them and keeps waiting.
const (
	toolAskUser  = "AskUserQuestion"
	toolExitPlan = "ExitPlanMode"
)

// planModes are the permission modes an approved plan may go on in, as
// Claude Code's plan dialog offers them (2.1.33x: "Yes, manually approve
// edits" is default; acceptEdits where a version offers auto-accept).
var planModes = map[string]bool{"default": true, "acceptEdits": true}

// decisionJSON is the PermissionRequest hook's documented decision output
// for a hub answer to q, or an error when the answer does not fit q (an
// AskUserQuestion allow without answers to its questions).
func decisionJSON(d wire.PromptDecide, q *question) ([]byte, error) {
	dec := map[string]any{"behavior": d.Decision}
	if d.Decision == wire.DecisionDeny {
		msg := d.Message
		if msg == "" {
			msg = "The user denied this from ct"
			if d.By != "" {
				msg += " (" + d.By + ")"
			}
		}
		dec["message"] = msg
	}
	if d.Decision == wire.DecisionAllow {
		switch q.tool {
		case toolAskUser:
			in, err := withAnswers(q.input, d.Answers)
			if err != nil {
				return nil, err
			}
			dec["updatedInput"] = in
		case toolExitPlan:
			dec["updatedInput"] = q.input // the plan as Claude wrote it
			if d.PlanMode != "" {
				if !planModes[d.PlanMode] {
					return nil, fmt.Errorf("unknown plan mode %q", d.PlanMode)
				}
				dec["updatedPermissions"] = []any{map[string]any{"type": "setMode", "mode": d.PlanMode, "destination": "session"}}
			}
		}
	}
	// "Allow for this session" is a ct session rule (Bridge.rules), not
	// updatedPermissions: Claude Code does not apply a hook's session rule
	// to the next call, and its suggestions grant other things (access to a
	// directory) than the request. The answer itself is a plain allow.
	b, _ := json.Marshal(map[string]any{"hookSpecificOutput": map[string]any{
		"hookEventName": "PermissionRequest", "decision": dec,
	}})
	return b, nil
}

// withAnswers is AskUserQuestion's input with answers filled in, as Claude
// Code's own dialog returns it: "answers" maps each question's text to the
// chosen label (several joined with ", ") or the text typed for "Other".
// Every question must have an answer and every answer a question.
func withAnswers(input json.RawMessage, answers map[string]string) (map[string]any, error) {
	var in map[string]any
	if json.Unmarshal(input, &in) != nil {
		return nil, errors.New("the question's input is not an object")
	}
	qs, _ := in["questions"].([]any)
	asked := map[string]bool{}
	for _, q := range qs {
		qm, _ := q.(map[string]any)
		text, _ := qm["question"].(string)
		asked[text] = true
		if answers[text] == "" {
			return nil, fmt.Errorf("no answer to %q", text)
		}
	}
	for text := range answers {
		if !asked[text] {
			return nil, fmt.Errorf("an answer to %q, which was not asked", text)
		}
	}
	if len(qs) == 0 {
		return nil, errors.New("the question has no questions")
	}
	in["answers"] = answers
	return in, nil
}

// ruleKey is what a session rule matches: the same tool with the same
// request (Bash: the same command, whatever its description; others: the
// same input).
func ruleKey(tool string, input json.RawMessage) string {
	if tool == "Bash" {
		var in struct {
			Command string `json:"command"`
		}
		if json.Unmarshal(input, &in) == nil && in.Command != "" {
			return "Bash\x00" + in.Command
		}
	}
	var v any
	if json.Unmarshal(input, &v) != nil {
		return tool + "\x00" + string(input)
	}
	canon, _ := json.Marshal(v) // sorted keys: the same input gives the same key
	return tool + "\x00" + string(canon)
}

// hookAgent is who sent a hook event: agent_id is set only in a subagent.
type hookAgent struct {
	ToolName string `json:"tool_name"`
	AgentID  string `json:"agent_id"`
}

// settleFor learns from a hook event which open questions were settled
// without the hub. Questions belong to the agent that asked (agent_id; ""
// is the main thread): only that agent's own events settle them, so the main
// thread's Stop leaves a background subagent's question open. PostToolUse
// of the asked tool means it ran (allowed at the terminal); Stop and
// UserPromptSubmit end the main thread's turn, SubagentStop a subagent's;
// SessionEnd ends every question.
func (b *Bridge) settleFor(req request, last *question, send func(wire.Envelope) bool) {
	var ev hookAgent
	_ = json.Unmarshal(req.Payload, &ev)
	wentOn := b.opts.name() + " went on without an answer from ct"
	mine := func(q *question) bool { return q.agentID == ev.AgentID }
	switch req.Event {
	case "PostToolUse", "PostToolUseFailure":
		b.mu.Lock()
		b.clearHeldLocked() // the hub's answer has been taken
		if last != nil && last.agentID == ev.AgentID {
			b.lastTerminal = nil
		}
		b.mu.Unlock()
		ran := func(q *question) bool { return mine(q) && q.tool == ev.ToolName }
		if ids := b.settleWhere(ran, "agent", wentOn, nil); len(ids) > 0 {
			return
		}
		if last != nil && last.tool == ev.ToolName && last.agentID == ev.AgentID && send != nil {
			e, _ := wire.New(wire.TypePromptClosed, wire.PromptClosed{ID: last.id, By: "terminal", Detail: "allowed at the terminal"})
			send(e)
		}
	case "Stop", "UserPromptSubmit", "SubagentStop":
		b.settleWhere(mine, "agent", wentOn, nil)
		b.mu.Lock()
		b.lastTerminal = nil
		b.clearHeldLocked() // Claude moved on: no dialog is left to take a held key
		b.mu.Unlock()
	case "SessionEnd":
		b.settleAll("agent", wentOn, nil)
	}
}
