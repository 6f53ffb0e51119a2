package claudetest

import (
	"encoding/json"
	"fmt"
	"net/http"
)

// Reply is one scripted assistant turn: optional text, then optionally one tool call.
type Reply struct {
	Text string
	Tool *ToolUse
	// StopReason defaults to "tool_use" when Tool is set and "end_turn" otherwise.
	StopReason string
	// Usage is what the reply says it cost; nil means 10 tokens in and 5 out.
	Usage *Usage
}

// Usage is a message's token counts as the Messages API reports them.
type Usage struct {
	Input         int `json:"input_tokens"`
	Output        int `json:"output_tokens"`
	CacheCreation int `json:"cache_creation_input_tokens"`
	CacheRead     int `json:"cache_read_input_tokens"`
}

// usage is the reply's usage, or 10 in and 5 out when it names none.
func (rep Reply) usage() Usage {
	if rep.Usage != nil {
		return *rep.Usage
	}
	return Usage{Input: 10, Output: 5}
}

// ToolUse is a tool call the fake model makes; ID is generated when empty.
type ToolUse struct {
	ID    string
	Name  string
	Input any
}

// Script chooses the reply to a main-loop request (one that offers tools).
type Script func(req *MessagesRequest) Reply

// TextReply is a turn that only says s and ends.
func TextReply(s string) Reply { return Reply{Text: s} }

// BashReply is a turn that asks to run command with the Bash tool.
func BashReply(command, description string) Reply {
	return Reply{Tool: &ToolUse{Name: "Bash", Input: map[string]string{
		"command": command, "description": description,
	}}}
}

// ToolThenText answers a typed prompt with first and any tool result with the text final.
func ToolThenText(first Reply, final string) Script {
	return func(req *MessagesRequest) Reply {
		if len(req.ToolResults()) > 0 {
			return TextReply(final)
		}
		return first
	}
}

// message renders a reply as the API's message object; ids come from the fake's counter.
func (rep Reply) message(msgID, toolID, model string) map[string]any {
	content := []map[string]any{}
	if rep.Text != "" {
		content = append(content, map[string]any{"type": "text", "text": rep.Text})
	}
	stop := rep.StopReason
	if rep.Tool != nil {
		id := rep.Tool.ID
		if id == "" {
			id = toolID
		}
		input := rep.Tool.Input
		if input == nil {
			input = map[string]any{}
		}
		content = append(content, map[string]any{
			"type": "tool_use", "id": id, "name": rep.Tool.Name, "input": input,
		})
		if stop == "" {
			stop = "tool_use"
		}
	}
	if stop == "" {
		stop = "end_turn"
	}
	return map[string]any{
		"id": msgID, "type": "message", "role": "assistant", "model": model,
		"content": content, "stop_reason": stop, "stop_sequence": nil,
		"usage": rep.usage(),
	}
}

// writeJSON answers a non-streaming request with the whole message at once.
func writeJSON(w http.ResponseWriter, msg map[string]any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(msg)
}

// writeSSE streams msg the way the real API does: message_start, one start/delta.../stop triple
// per content block, message_delta carrying stop_reason, message_stop.
func writeSSE(w http.ResponseWriter, msg map[string]any) {
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	flusher, _ := w.(http.Flusher)
	send := func(event string, data map[string]any) {
		data["type"] = event
		b, _ := json.Marshal(data)
		fmt.Fprintf(w, "event: %s\ndata: %s\n\n", event, b)
		// Flush per event so the CLI sees a real stream, not one buffered body.
		if flusher != nil {
			flusher.Flush()
		}
	}
	start := map[string]any{}
	for k, v := range msg {
		start[k] = v
	}
	start["content"] = []any{}
	start["stop_reason"] = nil
	// message_start reports the input side and a first output token; message_delta the
	// final output count, as the real API does.
	u := msg["usage"].(Usage)
	first := u
	first.Output = min(1, u.Output)
	start["usage"] = first
	send("message_start", map[string]any{"message": start})

	for i, block := range msg["content"].([]map[string]any) {
		switch block["type"] {
		case "text":
			send("content_block_start", map[string]any{"index": i,
				"content_block": map[string]any{"type": "text", "text": ""}})
			for _, part := range halves(block["text"].(string)) {
				send("content_block_delta", map[string]any{"index": i,
					"delta": map[string]any{"type": "text_delta", "text": part}})
			}
		case "tool_use":
			send("content_block_start", map[string]any{"index": i, "content_block": map[string]any{
				"type": "tool_use", "id": block["id"], "name": block["name"], "input": map[string]any{}}})
			input, _ := json.Marshal(block["input"])
			for _, part := range halves(string(input)) {
				send("content_block_delta", map[string]any{"index": i,
					"delta": map[string]any{"type": "input_json_delta", "partial_json": part}})
			}
		}
		send("content_block_stop", map[string]any{"index": i})
	}
	send("message_delta", map[string]any{
		"delta": map[string]any{"stop_reason": msg["stop_reason"], "stop_sequence": nil},
		"usage": map[string]int{"output_tokens": u.Output}})
	send("message_stop", map[string]any{})
}

// halves splits s in two at a rune boundary, so every reply exercises delta reassembly.
func halves(s string) []string {
	r := []rune(s)
	if len(r) < 2 {
		return []string{s}
	}
	return []string{string(r[:len(r)/2]), string(r[len(r)/2:])}
}
