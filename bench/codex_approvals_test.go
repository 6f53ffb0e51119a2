package bench

import "testing"

// codexApprovalPayload is what Codex 0.171.0 sends a PermissionRequest hook
// for an exec_command that asks to leave the sandbox (observed with
// codextest's fake Responses API; see docs/codex.md): tool Bash, input
// {command, description} with the model's justification, no suggestions.
const codexApprovalPayload = `{"session_id":"01a23406-955f-7411-9f2e-d91582f6a484",` +
	`"turn_id":"01a23406-9e02-7053-8046-519bc0f5af0c",` +
	`"transcript_path":"/home/dev/.codex/sessions/2026/12/01/rollout-2026-12-01T23-52-56-01a23406-955f-7411-9f2e-d91582f6a484.jsonl",` +
	`"cwd":"/home/dev/app","hook_event_name":"PermissionRequest","model":"gpt-5","permission_mode":"default",` +
	`"tool_name":"Bash","tool_input":{"command":"go test ./... 2>&1 | tail -n 40",` +
	`"description":"Run the test suite outside the sandbox"}}`

// BenchmarkCodexApprovalRoundTrip is BenchmarkApprovalRoundTrip through a
// wrap of a fake `codex` (agent.Codex: hooks given with -c, the bridge with
// codexhook.Options) and Codex's payload:
//
//	go test ./bench/ -run x -bench CodexApproval -benchtime 200x
func BenchmarkCodexApprovalRoundTrip(b *testing.B) {
	approvalBench(b, "codex", codexApprovalPayload)
}
