package hub

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ct-dev/ct/db"
	"github.com/ct-dev/ct/policy"
	"github.com/ct-dev/ct/wire"
)

const testPolicy = `{"rules": [
  {"name": "git read-only", "tool": "Bash", "command": "git status*", "outcome": "allow"},
  {"name": "no rm", "tool": "Bash", "command": "rm *", "outcome": "deny", "message": "ct policy: never rm; move it to ./trash"},
  {"name": "try curl", "tool": "Bash", "command": "curl *", "outcome": "allow", "dry_run": true},
  {"name": "prod two", "tags": ["prod"], "outcome": "ask-two"},
  {"name": "slow", "tool": "Bash", "command": "make *", "outcome": "ask", "message": "nobody answered; try again later",
   "escalate": {"after": "10m", "notify": "oncall", "deny_after": "30m"}}
]}`

// find waits (bounded) for a record containing s; "" when none came.
func (a *auditLog) find(s string) string {
	deadline := time.Now().Add(waitLimit)
	for {
		a.mu.Lock()
		for _, r := range a.entries {
			if strings.Contains(r, s) {
				a.mu.Unlock()
				return r
			}
		}
		a.mu.Unlock()
		if time.Now().After(deadline) {
			return ""
		}
		time.Sleep(10 * time.Millisecond) // polling the records, not synchronising on time
	}
}

// pageWatch is a listener that notes the state of every prompt the pages
// are told about.
type pageWatch struct {
	recorder
	store *db.Store
	mu    sync.Mutex
	seen  map[string][]string // prompt id -> states the pages were told of
}

func (w *pageWatch) PromptsChanged(_, id string) {
	p, err := w.store.GetPrompt(id)
	if err != nil {
		return
	}
	w.mu.Lock()
	w.seen[id] = append(w.seen[id], p.State)
	w.mu.Unlock()
}

type policyHub struct {
	*testHub
	audit *auditLog
	pages *pageWatch
	tr    *fakeTransport
	wrap  *fakeBridge
	done  <-chan error
}

func newPolicyHub(t *testing.T, terminalOnly bool, tags ...string) *policyHub {
	t.Helper()
	pol, err := policy.Parse([]byte(testPolicy))
	if err != nil {
		t.Fatal(err)
	}
	a := &auditLog{}
	th := newTestHubOpts(t, t.TempDir(), nil, Options{Audit: a, Policy: func() *policy.Policy { return pol }})
	w := &pageWatch{recorder: recorder{screens: make(chan ScreenUpdate, 1000)}, store: th.store, seen: map[string][]string{}}
	th.SetListener(w)
	const sid = "sess-policy"
	tr, done, _ := th.connectAs(t, sid, wire.SessionStart{Command: "claude", Cwd: "/tmp", Cols: 40, Rows: 5,
		StartedAt: time.Now().UTC(), Agent: wire.AgentClaude, Hooks: true, Tags: tags})
	if terminalOnly {
		if _, err := th.store.SetTerminalOnly(sid, true); err != nil {
			t.Fatal(err)
		}
	}
	b := &fakeBridge{applied: map[string]wire.PromptDecide{}}
	go b.run(tr)
	return &policyHub{testHub: th, audit: a, pages: w, tr: tr, wrap: b, done: done}
}

// ask opens a Bash prompt for command and returns the wrap's id for it.
func (ph *policyHub) ask(t *testing.T, id, command string) {
	t.Helper()
	ph.tr.toHub <- envelope(t, wire.TypePromptOpen, wire.PromptOpen{ID: id, Kind: "hook", Agent: "claude", Tool: "Bash",
		Input: []byte(`{"command":"` + command + `"}`)})
}

// waitSettled polls the store until the prompt with command settles.
func (ph *policyHub) waitState(t *testing.T, command, state string) db.Prompt {
	t.Helper()
	deadline := time.Now().Add(waitLimit)
	for {
		ps, _ := ph.store.Prompts(db.PromptFilter{})
		for _, p := range ps {
			if strings.Contains(string(p.Input), command) && p.State == state {
				return p
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no %s prompt for %q", state, command)
		}
		time.Sleep(20 * time.Millisecond) // polling the store, not synchronising on time
	}
}

func (ph *policyHub) told(id string) (wire.PromptDecide, bool) {
	ph.wrap.mu.Lock()
	defer ph.wrap.mu.Unlock()
	d, ok := ph.wrap.applied[id]
	return d, ok
}

func TestPolicyAllowAnswersAtOnce(t *testing.T) {
	ph := newPolicyHub(t, false)
	ph.ask(t, "q1", "git status --short")
	p := ph.waitState(t, "git status", db.PromptAllowed)
	told, ok := ph.told("q1")
	if !ok || told.Decision != wire.DecisionAllow || told.By != `rule "git read-only"` {
		t.Fatalf("the agent was told %+v", told)
	}
	if got := SettledBy(p); got != `allowed by rule "git read-only"` {
		t.Errorf("settled by %q", got)
	}
	if p.Device != db.DevicePolicy || p.Policy == nil || p.Policy.Rule != "git read-only" {
		t.Errorf("record = %+v / %+v", p, p.Policy)
	}
	if rec := ph.audit.find("prompt.allow"); !strings.Contains(rec, `rule "git read-only"`) || !strings.HasPrefix(rec, "policy ") {
		t.Errorf("audit record %q, want one naming the rule", rec)
	}
	ph.pages.mu.Lock()
	seen := ph.pages.seen[p.ID]
	ph.pages.mu.Unlock()
	for _, st := range seen {
		if st == db.PromptPending {
			t.Errorf("the pages were shown the prompt pending (%v)", seen)
		}
	}
	// A chained command is not allowed by the glob: a person is asked.
	ph.ask(t, "q2", "git status; rm -rf x")
	ph.waitState(t, "rm -rf x", db.PromptPending)
	if _, ok := ph.told("q2"); ok {
		t.Error("a chained command was answered by the allow rule")
	}
}

func TestPolicyDenyTellsTheAgent(t *testing.T) {
	ph := newPolicyHub(t, false)
	ph.ask(t, "q1", "rm build.log")
	p := ph.waitState(t, "rm build.log", db.PromptDenied)
	told, _ := ph.told("q1")
	if told.Decision != wire.DecisionDeny || told.Message != "ct policy: never rm; move it to ./trash" {
		t.Fatalf("the agent was told %+v", told)
	}
	if p.Message != told.Message || SettledBy(p) != `denied by rule "no rm"` {
		t.Errorf("recorded %q, %q", p.Message, SettledBy(p))
	}
	if ph.audit.find("prompt.deny") == "" {
		t.Error("no audit record of the deny")
	}
}

func TestPolicyNeverAnswersTerminalOnly(t *testing.T) {
	ph := newPolicyHub(t, true)
	ph.ask(t, "q1", "git status")
	p := ph.waitState(t, "git status", db.PromptPending)
	if _, ok := ph.told("q1"); ok {
		t.Fatal("a rule answered for a terminal-only session")
	}
	if p.Policy == nil || !strings.Contains(p.Policy.Skipped, "terminal only") {
		t.Errorf("policy record = %+v", p.Policy)
	}
}

func TestPolicyDryRunAsks(t *testing.T) {
	ph := newPolicyHub(t, false)
	ph.ask(t, "q1", "curl https://x.test")
	p := ph.waitState(t, "curl", db.PromptPending)
	if _, ok := ph.told("q1"); ok {
		t.Fatal("a dry-run rule answered")
	}
	if rec := ph.audit.find("prompt.policy_dry_run"); !strings.Contains(rec, "would allow") || !strings.Contains(rec, p.ID) {
		t.Errorf("dry-run audit = %q", rec)
	}
}

func TestPolicyAskTwoNeedsTwoPeople(t *testing.T) {
	ph := newPolicyHub(t, false, "prod")
	ph.ask(t, "q1", "deploy.sh")
	p := ph.waitState(t, "deploy.sh", db.PromptPending)
	ctx := context.Background()
	if _, err := ph.Decide(ctx, p.ID, Decision{Decision: wire.DecisionAllow, Scope: "session", By: "alice from phone", Person: "alice"}); !errors.Is(err, ErrBadAnswer) {
		t.Fatalf("allow for the session on a two-person rule: %v", err)
	}
	alice := Decision{Decision: wire.DecisionAllow, By: "alice from phone", Person: "alice", Device: "phone"}
	got, err := ph.Decide(ctx, p.ID, alice)
	if err != nil || got.State != db.PromptPending || Approvals(got) != "1 of 2 approvals (alice)" {
		t.Fatalf("first approval: %v, %s %q", err, got.State, Approvals(got))
	}
	if _, ok := ph.told("q1"); ok {
		t.Fatal("one approval of two reached the agent")
	}
	alice.By = "alice from desktop" // the same person on another device
	if _, err := ph.Decide(ctx, p.ID, alice); !errors.Is(err, ErrSameApprover) {
		t.Fatalf("second approval by the same person: %v", err)
	}
	got, err = ph.Decide(ctx, p.ID, Decision{Decision: wire.DecisionAllow, By: "bob from desktop", Person: "bob", Device: "desktop"})
	if err != nil || got.State != db.PromptAllowed {
		t.Fatalf("second person: %v %s", err, got.State)
	}
	if told, _ := ph.told("q1"); told.Decision != wire.DecisionAllow {
		t.Fatalf("the agent was told %+v", told)
	}
	if SettledBy(got) != "approved by alice and bob from desktop" {
		t.Errorf("settled by %q", SettledBy(got))
	}
	// One deny denies.
	ph.ask(t, "q2", "deploy2.sh")
	p = ph.waitState(t, "deploy2.sh", db.PromptPending)
	if _, err := ph.Decide(ctx, p.ID, alice); err != nil {
		t.Fatal(err)
	}
	got, err = ph.Decide(ctx, p.ID, Decision{Decision: wire.DecisionDeny, By: "alice from phone", Person: "alice", Device: "phone"})
	if err != nil || got.State != db.PromptDenied {
		t.Fatalf("deny after an approval: %v %s", err, got.State)
	}
}

func TestPolicyEscalation(t *testing.T) {
	pol, err := policy.Parse([]byte(testPolicy))
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var told []string
	a := &auditLog{}
	th := newTestHubOpts(t, t.TempDir(), nil, Options{Audit: a, Policy: func() *policy.Policy { return pol },
		Escalated: func(p db.Prompt, group string) { mu.Lock(); told = append(told, p.ID+"@"+group); mu.Unlock() }})
	tr, done, _ := th.connect(t, "sess-esc")
	b := &fakeBridge{applied: map[string]wire.PromptDecide{}}
	go b.run(tr)
	tr.toHub <- envelope(t, wire.TypePromptOpen, wire.PromptOpen{ID: "q1", Kind: "hook", Tool: "Bash", Input: []byte(`{"command":"make deploy"}`)})
	p := th.waitPendingPrompt(t, "make deploy")
	ctx := context.Background()
	opened := p.CreatedAt
	if n := th.Escalate(ctx, opened.Add(9*time.Minute)); n != 0 {
		t.Fatalf("escalated %d before its time", n)
	}
	if n := th.Escalate(ctx, opened.Add(10*time.Minute)); n != 1 {
		t.Fatalf("escalated %d at 10 minutes, want 1", n)
	}
	if n := th.Escalate(ctx, opened.Add(11*time.Minute)); n != 0 {
		t.Fatalf("escalated again (%d): a group is told once", n)
	}
	got, _ := th.store.GetPrompt(p.ID)
	mu.Lock()
	if !got.Policy.Overdue || len(told) != 1 || told[0] != p.ID+"@oncall" {
		t.Errorf("overdue %v, told %v", got.Policy.Overdue, told)
	}
	mu.Unlock()
	if a.find("prompt.escalate") == "" {
		t.Error("no audit record of the escalation")
	}
	if n := th.Escalate(ctx, opened.Add(30*time.Minute)); n != 1 {
		t.Fatalf("denied %d at 30 minutes, want 1", n)
	}
	got = th.waitPromptState(t, p.ID, db.PromptDenied)
	b.mu.Lock()
	d := b.applied["q1"]
	b.mu.Unlock()
	if d.Decision != wire.DecisionDeny || d.Message != "nobody answered; try again later" {
		t.Fatalf("the agent was told %+v", d)
	}
	if !strings.HasPrefix(SettledBy(got), `denied by rule "slow"`) {
		t.Errorf("settled by %q", SettledBy(got))
	}
	finish(t, tr, done)
}

// The rules see screen questions too: a rule for the session's machine
// answers a [y/N] question by typing its yes keys, recorded as the rule's.
func TestPolicyAnswersScreenQuestions(t *testing.T) {
	pol, err := policy.Parse([]byte(`{"rules": [
  {"name": "apt yes", "tool": "Terminal question", "outcome": "allow"}
]}`))
	if err != nil {
		t.Fatal(err)
	}
	a := &auditLog{}
	th := newTestHubOpts(t, t.TempDir(), nil, Options{Audit: a, Policy: func() *policy.Policy { return pol }})
	tr, done, _ := th.connect(t, "sess-screen-policy")
	tr.toHub <- output(1, "Do you want to continue? [y/N] ")
	if e := tr.recv(t, wire.TypePtyInput); string(e.Data) != "y\r" {
		t.Fatalf("the rule typed %q, want y and Enter", e.Data)
	}
	deadline := time.Now().Add(waitLimit)
	for {
		ps, _ := th.store.Prompts(db.PromptFilter{})
		if len(ps) == 1 && ps[0].State == db.PromptAllowed {
			if ps[0].Device != db.DevicePolicy || ps[0].Policy == nil || ps[0].Policy.Rule != "apt yes" {
				t.Fatalf("record = %+v", ps[0])
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the screen prompt was not allowed by the rule: %+v", ps)
		}
		time.Sleep(20 * time.Millisecond) // polling the store, not synchronising on time
	}
	if rec := a.find("prompt.allow"); !strings.Contains(rec, `rule "apt yes"`) {
		t.Errorf("audit record %q, want one naming the rule", rec)
	}
	finish(t, tr, done)
}
