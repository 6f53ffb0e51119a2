package notify

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/ct-dev/ct/auth"
	"github.com/ct-dev/ct/db"
)

// Message is one notification, before it is shaped for a channel.
type Message struct {
	Tag      string // same tag: the later message replaces the earlier
	Title    string
	Body     string
	URL      string // path on the hub, e.g. /p/{id}
	Closed   bool   // the thing was settled: withdraw the notification
	PromptID string // set for prompt messages: Approve/Deny links are added
}

// promptEvent sends "needs an answer" the first time a prompt is seen
// pending and "closed" once when it settles, to those told it opened.
func (n *Notifier) promptEvent(e event) {
	p, err := n.store.GetPrompt(e.promptID)
	if err != nil {
		n.log.Warn("notify: read prompt", "prompt", e.promptID, "error", err)
		return
	}
	told, seen := n.opened[p.ID]
	if p.State == db.PromptPending {
		if seen {
			return // already announced: no duplicate for one event
		}
		people := n.recipients(p.Node, true, func(pr db.NotifyPrefs) bool { return pr.Prompts })
		n.opened[p.ID] = people
		ss, err := n.store.GetSession(p.SessionID)
		msg := promptMessage(p, ss)
		if ss.TerminalOnly || (err != nil && !errors.Is(err, db.ErrNotFound)) {
			// Terminal only means no answers from the hub: no Approve/Deny
			// links (and none when the session cannot be read to check;
			// without a session there is nothing a link could answer).
			msg.PromptID = ""
		}
		for _, who := range people {
			n.send(who, msg)
		}
		return
	}
	if !seen {
		return // settled before it was announced, or already withdrawn
	}
	delete(n.opened, p.ID)
	msg := Message{Tag: "p-" + p.ID, Title: "Answered: " + p.Tool, Body: settledText(p), URL: "/p/" + p.ID, Closed: true}
	for _, who := range told {
		n.sendPushOnly(who, msg) // ntfy cannot withdraw a message
	}
}

// promptMessage announces p; ss is its session (zero when unknown), whose
// number and title say which of the person's sessions asks.
func promptMessage(p db.Prompt, ss db.Session) Message {
	title := p.Node + " asks: " + p.Tool
	if ss.Number > 0 {
		title = p.Node + " #" + strconv.FormatUint(ss.Number, 10) + " asks: " + p.Tool
	}
	return Message{Tag: "p-" + p.ID, Title: title, Body: promptSummary(p), URL: "/p/" + p.ID, PromptID: p.ID}
}

// promptSummary is the prompt's input in one short line.
func promptSummary(p db.Prompt) string {
	var in map[string]any
	_ = json.Unmarshal(p.Input, &in)
	var s string
	for _, k := range []string{"command", "file_path", "url", "pattern", "prompt", "text"} {
		if v, ok := in[k].(string); ok && v != "" {
			s = v
			break
		}
	}
	if s == "" {
		s = string(p.Input)
	}
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > 180 {
		s = string(r[:179]) + "…"
	}
	return s
}

func settledText(p db.Prompt) string {
	switch p.State {
	case db.PromptAllowed:
		return "Approved by " + p.DecidedBy
	case db.PromptDenied:
		return "Denied by " + p.DecidedBy
	}
	if p.ClosedBy == "terminal" {
		return "Answered at the terminal"
	}
	return "Closed"
}

// scanSessions announces sessions that ended since the last scan. The first
// scan (at start) only learns what already ended.
func (n *Notifier) scanSessions() {
	all, err := n.store.Sessions()
	if err != nil {
		n.log.Warn("notify: list sessions", "error", err)
		return
	}
	if n.afterScan != nil {
		defer n.afterScan()
	}
	first := n.ended == nil
	if first {
		n.ended = map[string]bool{}
	}
	for _, s := range all {
		n.checkWaiting(s)
		if s.Status != "ended" || n.ended[s.ID] {
			continue
		}
		n.ended[s.ID] = true
		if first {
			continue
		}
		msg := Message{Tag: "s-" + s.ID, Title: s.Node + ": " + s.Label() + " finished", Body: exitText(s), URL: "/s/" + s.ID}
		for _, who := range n.recipients(s.Node, false, func(pr db.NotifyPrefs) bool { return pr.Sessions }) {
			n.send(who, msg)
		}
	}
}

// checkWaiting announces a live session whose agent finished its turn,
// once per turn.
func (n *Notifier) checkWaiting(s db.Session) {
	waiting := n.waiting != nil && s.Status == "live" && n.waiting(s.ID)
	if !waiting {
		delete(n.waitNow, s.ID)
		return
	}
	if n.waitNow[s.ID] {
		return
	}
	n.waitNow[s.ID] = true
	msg := Message{Tag: "s-" + s.ID, Title: s.Node + ": " + s.Label() + " waits for you", Body: s.Cwd, URL: "/s/" + s.ID}
	for _, who := range n.recipients(s.Node, false, func(pr db.NotifyPrefs) bool { return pr.Sessions }) {
		n.send(who, msg)
	}
}

func exitText(s db.Session) string {
	switch {
	case s.ExitCode != nil:
		return fmt.Sprintf("exited with status %d", *s.ExitCode)
	case s.Signal != "":
		return "ended by " + s.Signal
	}
	return "ended"
}

// recipients lists the people who may see (or, with drive, answer for) a
// machine, want the event and are not in quiet hours.
func (n *Notifier) recipients(machine string, drive bool, wants func(db.NotifyPrefs) bool) []string {
	users, err := n.store.Users()
	if err != nil {
		n.log.Warn("notify: list users", "error", err)
		return nil
	}
	var out []string
	for _, u := range users {
		if u.Disabled {
			continue
		}
		p := auth.Principal{User: u.Name, Role: u.Role, Grants: u.Grants, Kind: auth.KindSession}
		if (drive && !p.CanDrive(machine)) || (!drive && !p.CanSee(machine)) {
			continue
		}
		prefs, err := n.store.NotifyPrefs(u.Name)
		if err != nil || !wants(prefs) || (len(prefs.Subs) == 0 && prefs.NtfyURL == "") || Quiet(prefs, n.now()) {
			continue
		}
		out = append(out, u.Name)
	}
	return out
}

// Quiet reports whether now falls in the person's quiet hours.
func Quiet(p db.NotifyPrefs, now time.Time) bool {
	from, ok1 := clock(p.QuietFrom)
	to, ok2 := clock(p.QuietTo)
	if !ok1 || !ok2 || from == to {
		return false
	}
	if loc, err := time.LoadLocation(p.TZ); err == nil && p.TZ != "" {
		now = now.In(loc)
	} else {
		now = now.UTC()
	}
	m := now.Hour()*60 + now.Minute()
	if from < to {
		return m >= from && m < to
	}
	return m >= from || m < to // over midnight
}

// clock parses "HH:MM" into minutes after midnight.
func clock(s string) (int, bool) {
	t, err := time.Parse("15:04", s)
	if err != nil {
		return 0, false
	}
	return t.Hour()*60 + t.Minute(), true
}
