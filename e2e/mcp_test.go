package e2e

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// mcpAgent is an MCP client (as an agent would be) talking to its own
// `ct mcp` server process.
type mcpAgent struct {
	t  *testing.T
	cs *mcp.ClientSession
}

func startMCPAgent(t *testing.T, p *coordPeer, session string) *mcpAgent {
	t.Helper()
	a, _ := startMCPHost(t, p, session)
	return a
}

// call runs a tool and returns its text and whether it was a tool error.
func (a *mcpAgent) call(name string, args map[string]any) (string, bool) {
	a.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	res, err := a.cs.CallTool(ctx, &mcp.CallToolParams{Name: name, Arguments: args})
	if err != nil {
		a.t.Fatalf("%s: %v", name, err)
	}
	var b strings.Builder
	for _, c := range res.Content {
		if tc, ok := c.(*mcp.TextContent); ok {
			b.WriteString(tc.Text)
		}
	}
	return b.String(), res.IsError
}

func (a *mcpAgent) must(name string, args map[string]any) string {
	a.t.Helper()
	out, isErr := a.call(name, args)
	if isErr {
		a.t.Fatalf("%s(%v): tool error %s", name, args, out)
	}
	return out
}

// Two agents, each with its own ct mcp, exchange a question and its
// answer; a third peer's lock blocks the second agent until released.
func TestMCPAgentsExchangeQuestionAndLock(t *testing.T) {
	h := StartHub(t, t.TempDir(), "127.0.0.1:0")
	p1, p2, p3 := newCoordPeer(t, h, "tok-one"), newCoordPeer(t, h, "tok-two"), newCoordPeer(t, h, "carol")
	one, two := startMCPAgent(t, p1, "aaaaaaaa-1111"), startMCPAgent(t, p2, "bbbbbbbb-2222")

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	tools, err := one.cs.ListTools(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := "list_peers send_message check_messages ack_message set_status lock unlock list_locks add_todo update_todo list_todos schedule_reminder list_reminders"
	var got []string
	for _, tl := range tools.Tools {
		got = append(got, tl.Name)
	}
	for _, w := range strings.Fields(want) {
		if !strings.Contains(" "+strings.Join(got, " ")+" ", " "+w+" ") {
			t.Errorf("tool %s missing; have %v", w, got)
		}
	}

	// Both agents introduce themselves; each is named after its session.
	one.must("set_status", map[string]any{"status": "writing the schema"})
	two.must("set_status", map[string]any{"status": "writing the API"})
	var peers []struct {
		Name, Kind, Status string
		Online             bool
	}
	if err := json.Unmarshal([]byte(one.must("list_peers", nil)), &peers); err != nil {
		t.Fatal(err)
	}
	var nameOne, nameTwo string
	for _, p := range peers {
		switch {
		case strings.HasSuffix(p.Name, "-aaaaaaaa"):
			nameOne = p.Name
		case strings.HasSuffix(p.Name, "-bbbbbbbb"):
			nameTwo = p.Name
			if p.Kind != "ai" || p.Status != "writing the API" || !p.Online {
				t.Errorf("agent two as a peer: %+v", p)
			}
		}
	}
	if nameOne == "" || nameTwo == "" {
		t.Fatalf("agents not found among peers: %+v", peers)
	}

	// A question and its answer.
	out := one.must("send_message", map[string]any{"to": nameTwo, "type": "question", "subject": "schema?", "body": "Is `users.email` unique?", "requires_response": true})
	qid := strings.TrimPrefix(strings.Fields(out)[2], "")
	inbox := two.must("check_messages", map[string]any{"wait_seconds": 10})
	if !strings.Contains(inbox, "users.email") || !strings.Contains(inbox, nameOne) {
		t.Fatalf("agent two's inbox: %s", inbox)
	}
	two.must("ack_message", map[string]any{"id": qid})
	two.must("send_message", map[string]any{"to": nameOne, "re": qid, "body": "yes, unique and indexed"})
	answer := one.must("check_messages", map[string]any{"wait_seconds": 10})
	if !strings.Contains(answer, "unique and indexed") || !strings.Contains(answer, `"re": "`+qid+`"`) {
		t.Fatalf("agent one's answer: %s", answer)
	}
	if again := one.must("check_messages", nil); again != "no new messages" {
		t.Fatalf("read messages came back: %s", again)
	}

	// carol's lock blocks agent two until she releases it.
	p3.must(t, "lock", "schema", "--reason", "migrating")
	out, isErr := two.call("lock", map[string]any{"name": "schema"})
	if !isErr || !strings.Contains(out, "held by carol") {
		t.Fatalf("agent two took carol's lock: %v %s", isErr, out)
	}
	p3.must(t, "unlock", "schema")
	if out := two.must("lock", map[string]any{"name": "schema", "ttl_seconds": 60}); !strings.HasPrefix(out, "locked schema") {
		t.Fatalf("after release: %s", out)
	}
	if locks := one.must("list_locks", nil); !strings.Contains(locks, nameTwo) {
		t.Fatalf("locks: %s", locks)
	}
	two.must("unlock", map[string]any{"name": "schema"})

	// Todos and reminders through the tools.
	one.must("add_todo", map[string]any{"title": "add the index", "assignee": nameTwo})
	two.must("update_todo", map[string]any{"id": "1", "state": "done"})
	if todos := one.must("list_todos", map[string]any{"state": "done"}); !strings.Contains(todos, "add the index") {
		t.Fatalf("todos: %s", todos)
	}
	one.must("schedule_reminder", map[string]any{"to": nameTwo, "body": "standup", "cron": "0 9 * * 1-5"})
	if r := two.must("list_reminders", nil); !strings.Contains(r, "0 9 * * 1-5") {
		t.Fatalf("reminders: %s", r)
	}
}
