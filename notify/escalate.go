package notify

import (
	"slices"

	"github.com/ct-dev/ct/auth"
	"github.com/ct-dev/ct/db"
)

// Overdue queues "still unanswered" for prompt p, escalated by its approval
// rule, to the people of group (Deps.GroupMembers; "": everyone who may
// answer it and wants prompt notifications). It never blocks. A named
// group is the rule's on-call: its members are told in quiet hours too.
func (n *Notifier) Overdue(p db.Prompt, group string) {
	select {
	case n.events <- event{sessionID: p.SessionID, promptID: p.ID, overdue: true, group: group}:
	default:
		n.log.Warn("notification queue full; dropped an escalation", "prompt", p.ID)
	}
}

// overdueEvent sends an escalation (worker goroutine).
func (n *Notifier) overdueEvent(e event) {
	p, err := n.store.GetPrompt(e.promptID)
	if err != nil || p.State != db.PromptPending {
		return // answered meanwhile: nothing to escalate
	}
	people := n.groupPeople(p.Node, e.group)
	if e.group == "" {
		people = n.recipients(p.Node, true, func(pr db.NotifyPrefs) bool { return pr.Prompts })
	}
	ss, err := n.store.GetSession(p.SessionID)
	msg := promptMessage(p, ss)
	msg.Title = "Overdue: " + msg.Title
	if err != nil || ss.TerminalOnly {
		msg.PromptID = "" // no Approve/Deny links where the hub cannot answer
	}
	told := n.opened[p.ID]
	for _, who := range people {
		n.send(who, msg)
		if !slices.Contains(told, who) {
			told = append(told, who) // they hear when it settles, too
		}
	}
	if len(told) > 0 {
		n.opened[p.ID] = told
	}
}

// groupPeople lists the members of group who may answer for machine.
func (n *Notifier) groupPeople(machine, group string) []string {
	if group == "" || n.members == nil {
		return nil
	}
	var out []string
	for _, name := range n.members(group) {
		u, err := n.store.GetUser(name)
		if err != nil || u.Disabled {
			continue
		}
		pr := auth.Principal{User: u.Name, Role: u.Role, Grants: u.Grants, Kind: auth.KindSession}
		if pr.CanDrive(machine) && !slices.Contains(out, u.Name) {
			out = append(out, u.Name)
		}
	}
	return out
}
