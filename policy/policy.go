// Package policy owns the team's approval rules: parsing a policy file and
// deciding, for one prompt, which rule matches and what it says (allow,
// deny, ask, ask two people), with its dry run and escalation. It is pure
// logic: no store, no clock, no I/O beyond the bytes it is given. The hub
// evaluates it; ct serve loads and reloads the file (policyfile.go in the
// root package).
package policy

import (
	"fmt"
	"time"
)

// Outcomes a rule may have.
const (
	Allow  = "allow"   // answered at once, recorded as "allowed by rule R"
	Deny   = "deny"    // answered at once with the rule's message to the agent
	Ask    = "ask"     // a person answers (today's behaviour)
	AskTwo = "ask-two" // settles only after two different people approve; one deny denies
)

// Policy is a parsed, valid policy: rules in order, first match wins. The
// zero value (and nil) has no rules: every prompt is asked.
type Policy struct {
	Rules []*Rule
}

// Rule is one rule. Empty match fields match anything; a pattern is a glob
// (* any run of characters, ? one character) or, prefixed "re:", an RE2
// regular expression matched against the whole value.
type Rule struct {
	Name                                     string
	Machine, Agent, Tool, Command, Path, URL pattern
	Tags                                     []string // every one must be on the session
	Outcome                                  string
	Message                                  string // to the agent with deny (and an escalation's deny)
	DryRun                                   bool   // record what it would have done, then ask
	// Escalation: when After > 0, a prompt still unanswered After its
	// opening notifies Notify (a group, "" = the usual people again) and
	// shows overdue; when DenyAfter > 0, it is denied with Message then.
	After, DenyAfter time.Duration
	Notify           string
}

// Prompt is what a rule is matched against.
type Prompt struct {
	Machine, Agent, Tool string
	Command, Path, URL   string // from the tool's input ("": the tool has none)
	Tags                 []string
}

// Result is what the policy says about one prompt.
type Result struct {
	Rule *Rule // nil: no rule matched (Outcome is Ask)
	// Outcome is what the hub does: for a dry-run rule it is Ask, and
	// WouldBe is the rule's own outcome.
	Outcome string
	WouldBe string
}

// Evaluate returns the first rule matching p and what it says. A nil
// policy asks.
func (pol *Policy) Evaluate(p Prompt) Result {
	if pol == nil {
		return Result{Outcome: Ask}
	}
	for _, r := range pol.Rules {
		if !r.matches(p) {
			continue
		}
		if r.DryRun {
			return Result{Rule: r, Outcome: Ask, WouldBe: r.Outcome}
		}
		return Result{Rule: r, Outcome: r.Outcome}
	}
	return Result{Outcome: Ask}
}

func (r *Rule) matches(p Prompt) bool {
	if !r.Machine.match(p.Machine) || !r.Agent.match(p.Agent) || !r.Tool.match(p.Tool) ||
		!r.Path.match(p.Path) || !r.URL.match(p.URL) || !r.Command.match(p.Command) {
		return false
	}
	// An allow rule never matches a command that chains or substitutes
	// another: "git status*" must not allow "git status; rm -rf ~".
	if r.Outcome == Allow && !r.Command.empty() && !r.Command.isRegexp() && chained(p.Command) {
		return false
	}
	for _, t := range r.Tags {
		if !hasTag(p.Tags, t) {
			return false
		}
	}
	return true
}

func hasTag(tags []string, t string) bool {
	for _, have := range tags {
		if have == t {
			return true
		}
	}
	return false
}

// chained reports whether a shell command holds an operator that runs,
// substitutes or redirects to something else.
func chained(cmd string) bool {
	for _, c := range cmd {
		switch c {
		case ';', '&', '|', '`', '$', '>', '<', '\n', '\r', '(', ')':
			return true
		}
	}
	return false
}

// String names the rule for people and the audit log.
func (r *Rule) String() string { return fmt.Sprintf("%q", r.Name) }
