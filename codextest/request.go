package codextest

import "encoding/json"

// Request is one POST /v1/responses as Codex sent it (the parts tests read).
type Request struct {
	Model string            `json:"model"`
	Input []Item            `json:"input"`
	Tools []json.RawMessage `json:"tools"`
	// Body is the raw request body.
	Body []byte `json:"-"`
}

// Item is one input item: a message, a function call or a function call's output.
type Item struct {
	Type    string          `json:"type"`
	Role    string          `json:"role"`
	Content json.RawMessage `json:"content"`
	CallID  string          `json:"call_id"`
	Name    string          `json:"name"`
	Output  json.RawMessage `json:"output"`
}

// OutputText is a function_call_output's output as text (a string, or the text parts of a
// list of content items).
func (it Item) OutputText() string {
	var s string
	if json.Unmarshal(it.Output, &s) == nil {
		return s
	}
	var parts []struct {
		Text string `json:"text"`
	}
	_ = json.Unmarshal(it.Output, &parts)
	out := ""
	for _, p := range parts {
		out += p.Text
	}
	return out
}

// Outputs lists the text of every function_call_output in the request, oldest first.
func (r Request) Outputs() []string {
	var out []string
	for _, it := range r.Input {
		if it.Type == "function_call_output" {
			out = append(out, it.OutputText())
		}
	}
	return out
}

// LastIsOutput reports whether the newest input item is a function call's output: Codex is
// asking for the turn after a tool ran (or was refused).
func (r Request) LastIsOutput() bool {
	return len(r.Input) > 0 && r.Input[len(r.Input)-1].Type == "function_call_output"
}
