package wire

import "strings"

// modelWindows are the context windows ct knows, by model id prefix, longest
// prefix first. Only figures the model's maker publishes; a model not listed
// (a newer one) has no known window and pages show the context used alone.
var modelWindows = []struct {
	prefix string
	tokens int64
}{
	{"claude-opus-4", 200_000},
	{"claude-sonnet-4", 200_000},
	{"claude-haiku-4", 200_000},
	{"claude-3", 200_000},
}

// ContextWindow is the context window of model in tokens, 0 when ct does not
// know it. A window the agent declared (Usage.Window, a "[1m]" model) wins.
func ContextWindow(model string, declared int64) int64 {
	if declared > 0 {
		return declared
	}
	for _, w := range modelWindows {
		if strings.HasPrefix(model, w.prefix) {
			return w.tokens
		}
	}
	return 0
}
