package codextest

import (
	"encoding/json"
	"fmt"
)

// Reply is one scripted model turn: optional text, then optionally one exec_command call.
type Reply struct {
	Text string
	Exec *Exec
	Call *Call
}

// Call is a call of any other tool the request offered, with its
// arguments as JSON text; an MCP server's tool is offered inside a
// namespace ("mcp__<server>"), which the call names.
type Call struct {
	Namespace, Name, Arguments string
}

// Exec is an exec_command call. With Escalate set it asks to run outside the sandbox
// (sandbox_permissions "require_escalated"), which makes Codex ask for approval.
type Exec struct {
	Cmd           string
	Justification string
	Escalate      bool
}

// Script chooses the reply to a request that offers tools.
type Script func(req Request) Reply

// TextReply is a turn that only says s and ends.
func TextReply(s string) Reply { return Reply{Text: s} }

// ApprovalReply is a turn that asks to run cmd outside the sandbox, so Codex asks for
// approval with justification.
func ApprovalReply(cmd, justification string) Reply {
	return Reply{Exec: &Exec{Cmd: cmd, Justification: justification, Escalate: true}}
}

// ExecThenText answers a typed prompt with first and the tool's output with the text final.
func ExecThenText(first Reply, final string) Script {
	return func(req Request) Reply {
		if req.LastIsOutput() {
			return TextReply(final)
		}
		return first
	}
}

// items renders the reply as Responses API output items; a message item carries its text
// in "_text" too, for the delta event writeSSE sends before the item is done.
func (rep Reply) items(id int) []map[string]any {
	var out []map[string]any
	if rep.Text != "" {
		out = append(out, map[string]any{
			"type": "message", "id": fmt.Sprintf("msg_codextest_%04d", id), "role": "assistant", "status": "completed",
			"content": []map[string]any{{"type": "output_text", "text": rep.Text, "annotations": []any{}}},
			"_text":   rep.Text,
		})
	}
	if rep.Exec != nil {
		args := map[string]any{"cmd": rep.Exec.Cmd}
		if rep.Exec.Escalate {
			args["sandbox_permissions"] = "require_escalated"
			args["justification"] = rep.Exec.Justification
		}
		b, _ := json.Marshal(args)
		out = append(out, map[string]any{
			"type": "function_call", "id": fmt.Sprintf("fc_codextest_%04d", id), "status": "completed",
			"call_id": fmt.Sprintf("call_codextest_%04d", id), "name": "exec_command", "arguments": string(b),
		})
	}
	if rep.Call != nil {
		call := map[string]any{
			"type": "function_call", "id": fmt.Sprintf("fc_codextest_%04d", id), "status": "completed",
			"call_id": fmt.Sprintf("call_codextest_%04d", id), "name": rep.Call.Name, "arguments": rep.Call.Arguments,
		}
		if rep.Call.Namespace != "" {
			call["namespace"] = rep.Call.Namespace
		}
		out = append(out, call)
	}
	return out
}
