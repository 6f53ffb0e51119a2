package mcpserver

import (
	"strings"
	"testing"

	"github.com/ct-dev/ct/coord"
)

// send_message's C2C arguments become the message the REST API takes:
// times parsed, test_results kept as JSON, the flat file/line/error and
// the C2C context object merged, the session filled in.
func TestSendInC2CMessage(t *testing.T) {
	in := sendIn{ID: "msg-1", From: "claude-x", To: "bob", Timestamp: "2026-03-02T08:00:00Z", Deadline: "2026-03-02T09:00:00Z",
		Citation: "msg-0", Solution: "s", Commit: "abc", TestResults: map[string]any{"passed": 3},
		Context: &coord.MsgContext{File: "a.go"}, Line: 7}
	m, err := in.message("sess-1")
	if err != nil {
		t.Fatal(err)
	}
	if m.ID != "msg-1" || m.From != "claude-x" || m.Timestamp == nil || m.Deadline == nil || m.Deadline.Hour() != 9 ||
		string(m.TestResults) != `{"passed":3}` || m.Context.File != "a.go" || m.Context.Line != 7 || m.Context.Session != "sess-1" {
		t.Fatalf("message = %+v context %+v", m, m.Context)
	}
	if _, err := (sendIn{To: "bob", Deadline: "tomorrow"}).message(""); err == nil || !strings.Contains(err.Error(), "RFC 3339") {
		t.Fatalf("a bad deadline: %v", err)
	}
	if m, _ := (sendIn{To: "bob", Body: "x"}).message("sess-1"); m.Context != nil {
		t.Fatalf("a message about nothing got a context: %+v", m.Context)
	}
}
