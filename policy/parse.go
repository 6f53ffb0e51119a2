package policy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// Bounds on a policy file: a team writes tens of rules, not thousands.
const (
	MaxFileBytes = 256 << 10
	maxRules     = 500
	maxName      = 100
	maxMessage   = 2000
	maxTags      = 20
	maxTag       = 64
)

// MaxEscalation bounds an escalation's deny: ct's PermissionRequest hook
// waits up to an hour for an answer (claudehook.PermissionTimeout), and a
// deny must reach the agent before the hook gives up.
const MaxEscalation = 55 * time.Minute

// file is the JSON form of a policy file.
type file struct {
	Rules []fileRule `json:"rules"`
}

type fileRule struct {
	Name     string    `json:"name"`
	Machine  string    `json:"machine,omitempty"`
	Agent    string    `json:"agent,omitempty"`
	Tool     string    `json:"tool,omitempty"`
	Command  string    `json:"command,omitempty"`
	Path     string    `json:"path,omitempty"`
	URL      string    `json:"url,omitempty"`
	Tags     []string  `json:"tags,omitempty"`
	Outcome  string    `json:"outcome"`
	Message  string    `json:"message,omitempty"`
	DryRun   bool      `json:"dry_run,omitempty"`
	Escalate *escalate `json:"escalate,omitempty"`
}

type escalate struct {
	After     string `json:"after,omitempty"`
	Notify    string `json:"notify,omitempty"`
	DenyAfter string `json:"deny_after,omitempty"`
}

// Parse reads a policy file (JSON: {"rules": [...]}) and checks every rule;
// the error names the rule and says what to change. Unknown fields are
// errors, so a misspelt "comand" cannot silently widen a rule.
func Parse(data []byte) (*Policy, error) {
	if len(data) > MaxFileBytes {
		return nil, fmt.Errorf("the policy file is %d bytes; at most %d", len(data), MaxFileBytes)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var f file
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("the policy file is not valid JSON of the form {\"rules\": [...]}: %w", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("the policy file has more after its closing brace; keep one JSON object")
	}
	if len(f.Rules) > maxRules {
		return nil, fmt.Errorf("%d rules; at most %d", len(f.Rules), maxRules)
	}
	pol := &Policy{}
	names := map[string]bool{}
	for i, fr := range f.Rules {
		r, err := fr.rule()
		if err != nil {
			return nil, fmt.Errorf("rule %d (%q): %w", i+1, fr.Name, err)
		}
		if names[r.Name] {
			return nil, fmt.Errorf("rule %d: the name %q is used twice; give each rule its own name (the audit log names it)", i+1, r.Name)
		}
		names[r.Name] = true
		pol.Rules = append(pol.Rules, r)
	}
	return pol, nil
}

func (fr fileRule) rule() (*Rule, error) {
	r := &Rule{Name: strings.TrimSpace(fr.Name), Outcome: fr.Outcome, Message: fr.Message, DryRun: fr.DryRun}
	switch {
	case r.Name == "" || len(r.Name) > maxName:
		return nil, fmt.Errorf("give it a \"name\" of 1 to %d characters", maxName)
	case len(r.Message) > maxMessage:
		return nil, fmt.Errorf("\"message\" is over %d characters", maxMessage)
	case len(fr.Tags) > maxTags:
		return nil, fmt.Errorf("%d tags; at most %d", len(fr.Tags), maxTags)
	}
	switch r.Outcome {
	case Allow, Ask, AskTwo:
	case Deny:
		if r.Message == "" {
			return nil, errors.New("a deny rule needs a \"message\": it is what the agent is told")
		}
	default:
		return nil, fmt.Errorf("\"outcome\" must be allow, deny, ask or ask-two, not %q", r.Outcome)
	}
	for _, t := range fr.Tags {
		if t == "" || len(t) > maxTag {
			return nil, fmt.Errorf("each tag must be 1 to %d characters", maxTag)
		}
	}
	r.Tags = fr.Tags
	var err error
	for _, f := range []struct {
		name string
		src  string
		dst  *pattern
	}{{"machine", fr.Machine, &r.Machine}, {"agent", fr.Agent, &r.Agent}, {"tool", fr.Tool, &r.Tool},
		{"command", fr.Command, &r.Command}, {"path", fr.Path, &r.Path}, {"url", fr.URL, &r.URL}} {
		if *f.dst, err = compile(f.name, f.src); err != nil {
			return nil, err
		}
	}
	if fr.Escalate != nil {
		if err := r.setEscalation(*fr.Escalate); err != nil {
			return nil, err
		}
	}
	return r, nil
}

func (r *Rule) setEscalation(e escalate) error {
	var err error
	if r.After, err = duration("after", e.After); err != nil {
		return err
	}
	if r.DenyAfter, err = duration("deny_after", e.DenyAfter); err != nil {
		return err
	}
	r.Notify = e.Notify
	switch {
	case len(e.Notify) > maxName:
		return fmt.Errorf("escalate.notify is over %d characters", maxName)
	case r.Outcome == Allow || r.Outcome == Deny:
		return errors.New("only an ask or ask-two rule escalates: an allow or deny rule answers at once")
	case r.After == 0 && r.DenyAfter == 0:
		return errors.New("escalate needs \"after\" or \"deny_after\" (e.g. \"10m\")")
	case r.DenyAfter > 0 && r.DenyAfter <= r.After:
		return errors.New("escalate.deny_after must be later than escalate.after")
	case r.DenyAfter > MaxEscalation || r.After > MaxEscalation:
		return fmt.Errorf("escalation times must be at most %s: the agent's hook stops waiting at an hour", MaxEscalation)
	case r.DenyAfter > 0 && r.Message == "":
		return errors.New("a rule that denies after a wait needs a \"message\" for the agent")
	}
	return nil
}

func duration(field, s string) (time.Duration, error) {
	if s == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("escalate.%s %q is not a duration like \"10m\" or \"90s\"", field, s)
	}
	return d, nil
}
