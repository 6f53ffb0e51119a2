package connect

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/ct-dev/ct/client"
)

// Button data: "ct:allow:ID" / "ct:deny:ID" (a prompt id is 26 characters,
// well inside Telegram's 64 bytes).
const (
	pressAllow = "ct:allow:"
	pressDeny  = "ct:deny:"
)

// pressCommand is the text that does what a button's data does, for chats
// without buttons (and anyone who prefers typing): "allow ID", "deny ID".
func pressCommand(data string) string {
	return strings.Replace(strings.TrimPrefix(data, "ct:"), ":", " ", 1)
}

// typedPress reads "allow ID" or "deny ID" typed in the chat as a press
// of that button.
func typedPress(text string) (string, bool) {
	verb, id, ok := strings.Cut(strings.TrimSpace(text), " ")
	verb, id = strings.ToLower(verb), strings.Trim(strings.TrimSpace(id), "`")
	if !ok || id == "" || strings.ContainsAny(id, " \n") || (verb != "allow" && verb != "deny") {
		return "", false
	}
	return "ct:" + verb + ":" + id, true
}

// needsAnswers are the tools whose questions take more than yes or no
// (choices, a plan mode): the chat links to the hub's page for them.
var needsAnswers = []string{"AskUserQuestion", "ExitPlanMode"}

// promptLoop lists the pending approvals the connector's credential may
// see, posts each new one with Allow/Deny buttons, and edits the post of
// one settled elsewhere (the web, the terminal) so its buttons go.
func (r *Relay) promptLoop(ctx context.Context) error {
	pending, err := r.hub.Prompts(ctx, "pending", "")
	if err != nil {
		return err
	}
	open := map[string]bool{}
	for _, p := range pending {
		open[p.ID] = true
		if r.postedRef(p.ID) != "" {
			continue
		}
		post := Post{Text: promptText(p, r.opt.Web)}
		if !slices.Contains(needsAnswers, p.Tool) {
			post.Buttons = []Button{{Label: "Allow", Data: pressAllow + p.ID}, {Label: "Deny", Data: pressDeny + p.ID}}
		}
		r.setShown(p.ID, true)
		ref, err := r.chat.Post(ctx, post)
		if err != nil {
			r.setShown(p.ID, false)
			return err
		}
		r.setPosted(p.ID, ref)
	}
	for id, ref := range r.postedSnapshot() {
		if !open[id] && !r.isDeciding(id) && r.postedRef(id) == ref { // a press being answered edits its own post
			r.setPosted(id, "")
			_ = r.chat.Edit(ctx, ref, "Closed: "+r.outcome(ctx, id))
		}
	}
	select {
	case <-ctx.Done():
	case <-time.After(r.opt.PromptPoll):
	}
	return nil
}

// outcome is how a prompt closed, in the hub's words, or a plain word when
// the hub cannot say now.
func (r *Relay) outcome(ctx context.Context, id string) string {
	closed, err := r.hub.Prompts(ctx, "closed", "")
	if err == nil {
		for _, p := range closed {
			if p.ID == id && p.Outcome != "" {
				return p.Outcome
			}
		}
	}
	return "answered elsewhere"
}

// press answers a prompt from a button: the decision goes to the hub's API
// under the connector's credential, which checks it may drive the prompt's
// machine exactly as for a person on the web; the presser sees the hub's
// answer or its refusal.
func (r *Relay) press(ctx context.Context, in Incoming) {
	decision, id := "", ""
	if rest, ok := strings.CutPrefix(in.Press, pressAllow); ok {
		decision, id = "allow", rest
	} else if rest, ok := strings.CutPrefix(in.Press, pressDeny); ok {
		decision, id = "deny", rest
	}
	answer := func(text string) {
		if err := r.chat.Answer(ctx, in, text); err != nil {
			r.opt.Log.Warn("button press not answered", "chat", r.chat.Name(), "error", err)
		}
	}
	switch {
	case id == "":
		answer("ct does not know this button")
		return
	case len(r.opt.Approvers) > 0 && !slices.Contains(r.opt.Approvers, in.UserID):
		r.opt.Log.Warn("button press refused: not an approver", "chat", r.chat.Name(), "user", in.UserID, "prompt", id)
		answer("You are not one of this connector's approvers (CT_CONNECT_APPROVERS); answer on the hub instead.")
		return
	}
	msg := ""
	if decision == "deny" {
		msg = "denied from " + r.chat.Name() + " by " + in.From
	}
	r.setDeciding(id, true)
	defer r.setDeciding(id, false)
	// 32 runes: within the hub's 128 bytes for on_behalf_of.
	p, err := r.hub.DecidePrompt(ctx, id, client.Decision{Decision: decision, Message: msg, OnBehalfOf: onBehalfOf(in.From)})
	r.opt.Log.Info("prompt answered from chat", "chat", r.chat.Name(), "user", in.UserID, "prompt", id, "decision", decision, "error", err)
	if err != nil {
		var ae *client.APIError
		if errors.As(err, &ae) {
			answer("The hub refused: " + ae.Msg)
			return
		}
		answer("The hub did not answer; try again or answer on the hub.")
		return
	}
	by := in.From + " from " + r.chat.Name()
	if p.DecidedBy != nil {
		by = *p.DecidedBy // "NAME via CONNECTOR", as the hub recorded it
	}
	word := map[string]string{"allow": "Allowed", "deny": "Denied"}[decision]
	answer(word)
	if ref := r.awaitRef(ctx, id); ref != "" { // the post with the buttons, pressed or typed at
		r.setPosted(id, "")
		_ = r.chat.Edit(ctx, ref, fmt.Sprintf("%s by %s (%s).", word, by, p.Tool))
	}
}

// onBehalfOf is a chat user's name as the hub takes it: one line, its
// spaces trimmed, at most 32 runes (so within the hub's 128 bytes).
func onBehalfOf(name string) string {
	name = strings.Join(strings.FieldsFunc(name, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }), " ")
	return clip(firstOf(name, "someone"), 32)
}

// promptText is a pending approval as the chat shows it: the tool, where,
// what it would run (its command, file or input, cut short) and the link.
func promptText(p client.Prompt, web string) string {
	var in map[string]any
	_ = json.Unmarshal(p.Input, &in)
	what := ""
	for _, k := range []string{"command", "file_path", "url", "question", "prompt", "text"} {
		if v, ok := in[k].(string); ok && v != "" {
			what = v
			break
		}
	}
	if what == "" && len(p.Input) > 0 {
		what = string(p.Input)
	}
	text := fmt.Sprintf("Approval needed on %s: %s\n%s", p.Node, p.Tool, clip(what, 1500))
	if p.Change != "" {
		text += "\n(" + p.Change + ")"
	}
	if web != "" {
		text += "\n" + strings.TrimRight(web, "/") + "/p/" + p.ID
	}
	if slices.Contains(needsAnswers, p.Tool) {
		text += "\nThis question takes more than yes or no: answer it on the hub."
	}
	return text
}

func (r *Relay) postedRef(id string) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.posted[id]
}

// setPosted records (or, with ref "", forgets) the chat post of a prompt.
func (r *Relay) setPosted(id, ref string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if ref == "" {
		delete(r.posted, id)
		delete(r.shown, id)
		return
	}
	r.posted[id] = ref
}

// awaitRef is the chat ref of prompt id's post. A post sent whose ref is
// not back yet (a typed "allow ID" can come in that gap) is waited for, up
// to refWait, so the answer edits the post the person saw.
func (r *Relay) awaitRef(ctx context.Context, id string) string {
	deadline := time.Now().Add(refWait)
	for {
		ref := r.postedRef(id)
		if ref != "" || !r.wasShown(id) || time.Now().After(deadline) {
			return ref
		}
		select {
		case <-ctx.Done():
			return ""
		case <-time.After(20 * time.Millisecond): // polling the ref the prompt loop stores
		}
	}
}

// refWait bounds awaitRef: a chat's send call answers in well under it.
const refWait = 5 * time.Second

// setShown marks (or unmarks) a prompt's post as sent to the chat.
func (r *Relay) setShown(id string, on bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if on {
		r.shown[id] = true
	} else {
		delete(r.shown, id)
	}
}

// wasShown reports whether the chat was sent prompt id's post: a typed
// "allow ID" answers only what the chat saw.
func (r *Relay) wasShown(id string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.shown[id] || r.posted[id] != ""
}

func (r *Relay) postedSnapshot() map[string]string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make(map[string]string, len(r.posted))
	for k, v := range r.posted {
		out[k] = v
	}
	return out
}

// setDeciding marks a prompt whose press is being answered, so the prompt
// loop does not also edit its post when it sees it close.
func (r *Relay) setDeciding(id string, on bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if on {
		r.deciding[id] = true
	} else {
		delete(r.deciding, id)
	}
}

func (r *Relay) isDeciding(id string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.deciding[id]
}
