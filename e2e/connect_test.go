package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ct-dev/ct/connecttest"
)

// tgChat is the fake Telegram chat's id (a group: negative).
const tgChat = -1001234

// startConnect runs ct connect telegram against hub h and the fake f with
// the connector's API token, and stops it at the end of the test.
func startConnect(t *testing.T, h *Hub, f *connecttest.Telegram, token string, extra ...string) *SafeBuffer {
	t.Helper()
	return startConnector(t, h, token, []string{"CT_TELEGRAM_TOKEN=" + f.Token, "CT_TELEGRAM_CHAT=" + strconv.Itoa(tgChat), "CT_TELEGRAM_API=" + f.URL},
		append([]string{"telegram"}, extra...)...)
}

// startConnector runs ct connect ARGS with env added to the hub's
// settings, and waits until it has joined the hub.
func startConnector(t *testing.T, h *Hub, token string, env []string, args ...string) *SafeBuffer {
	t.Helper()
	cmd := exec.Command(Binary(t), append([]string{"connect"}, args...)...)
	cmd.Env = append(append(os.Environ(), "CT_HUB="+h.URL, "CT_API_TOKEN="+token, "CT_CONNECT_PROMPT_POLL=100ms",
		"XDG_CONFIG_HOME="+t.TempDir(), "HOME="+t.TempDir()), env...)
	out := &SafeBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	WaitFor(t, 15*time.Second, "the connector joined the hub", func() bool { return strings.Contains(out.String(), "connector joined") })
	return out
}

type e2eMessage struct {
	ID, From, To, Subject, Body, Re string
}

// inbox is the admin token's peer's inbox (e2e-admin).
func inbox(hubURL string) []e2eMessage {
	var out []e2eMessage
	_ = json.Unmarshal([]byte(Get(hubURL+"/api/v1/messages")), &out)
	return out
}

// waitInboxBodies waits until the admin's inbox holds a message with each body
// and returns them by body.
func waitInboxBodies(t *testing.T, hubURL string, bodies ...string) map[string]e2eMessage {
	t.Helper()
	got := map[string]e2eMessage{}
	WaitFor(t, 15*time.Second, fmt.Sprintf("messages %q in the hub inbox", bodies), func() bool {
		for _, m := range inbox(hubURL) {
			if slices.Contains(bodies, m.Body) {
				got[m.Body] = m
			}
		}
		return len(got) == len(bodies)
	})
	return got
}

// A message to the connector peer reaches the chat; a chat message, and a
// reply to a relayed one, reach the hub; the peer is a connector.
func TestConnectTelegramMessages(t *testing.T) {
	h := StartHub(t, t.TempDir(), "127.0.0.1:0")
	tok := MintToken(t, h.URL, "admin", AdminPassword, map[string]string{"name": "telegram", "kind": "api"})
	f := connecttest.NewTelegram("123:bot-secret", tgChat)
	t.Cleanup(f.Close) // registered first, so it runs after the connector is stopped
	log := startConnect(t, h, f, tok, "--to", "e2e-admin")

	if code, body := PostJSON(h.URL+"/api/v1/messages", map[string]any{"to": "telegram", "subject": "build", "body": "the build is green"}); code != 201 && code != 200 {
		t.Fatalf("send: %d %s", code, body)
	}
	got := f.WaitSent(t, "with the hub message", func(s connecttest.Sent) bool { return strings.Contains(s.Text, "the build is green") })
	if !strings.Contains(got.Text, "e2e-admin → telegram") || !strings.Contains(got.Text, "build") {
		t.Fatalf("chat text = %q", got.Text)
	}

	f.Say(42, "Bob", "deploying now", 0)
	f.Say(42, "Bob", "thanks, merging", got.MessageID)
	got2 := waitInboxBodies(t, h.URL, "deploying now", "thanks, merging")
	plain, reply := got2["deploying now"], got2["thanks, merging"]
	if plain.From != "telegram" || plain.To != "e2e-admin" || !strings.Contains(plain.Subject, "Bob on telegram") {
		t.Fatalf("chat message on the hub = %+v", plain)
	}
	if reply.Re == "" || reply.To != "e2e-admin" {
		t.Fatalf("a reply in the chat is not a reply on the hub: %+v", reply)
	}
	var peers []struct{ Name, Kind, Channel string }
	_ = json.Unmarshal([]byte(Get(h.URL+"/api/v1/peers")), &peers)
	found := false
	for _, p := range peers {
		found = found || (p.Name == "telegram" && p.Kind == "connector" && p.Channel == "telegram:"+strconv.Itoa(tgChat))
	}
	if !found {
		t.Fatalf("no connector peer telegram: %+v", peers)
	}
	if strings.Contains(log.String(), f.Token) {
		t.Fatalf("the connector's log shows the bot token:\n%s", log.String())
	}
}

// A pending approval is posted with buttons; pressing Allow answers the
// real prompt (the program gets its y) and the post loses its buttons.
func TestConnectTelegramApproval(t *testing.T) {
	h := StartHub(t, t.TempDir(), "127.0.0.1:0")
	tok := MintToken(t, h.URL, "admin", AdminPassword, map[string]string{"name": "telegram", "kind": "api"})
	f := connecttest.NewTelegram("123:bot-secret", tgChat)
	t.Cleanup(f.Close) // registered first, so it runs after the connector is stopped
	startConnect(t, h, f, tok)
	script := `printf 'Delete all build files? [y/N] '; read a; echo "answer=$a"; sleep 30`
	StartWrap(t, nil, "--hub", h.URL, "--name", "tgbox", "--", "bash", "-c", script)
	s := SessionFor(t, h.URL, "tgbox")
	p := waitPending(t, h.URL)
	post := f.WaitSent(t, "with the prompt's buttons", func(s connecttest.Sent) bool {
		return len(s.Buttons) == 2 && s.Buttons[0].CallbackData == "ct:allow:"+p.ID
	})
	if !strings.Contains(post.Text, "Delete all build files?") || !strings.Contains(post.Text, "/p/"+p.ID) {
		t.Fatalf("prompt post = %q", post.Text)
	}
	f.Press(42, "Bob", post.MessageID, "ct:allow:"+p.ID)
	WaitFor(t, 15*time.Second, "the program got y", func() bool {
		return strings.Contains(Get(h.URL+"/api/v1/sessions/"+s.ID+"/screen"), "answer=y")
	})
	f.WaitAnswer(t, "Allowed", func(a string) bool { return a == "Allowed" })
	f.WaitSent(t, "edited to say who allowed it, without buttons", func(s connecttest.Sent) bool {
		return s.MessageID == post.MessageID && s.Edited && len(s.Buttons) == 0 && strings.Contains(s.Text, "Allowed by Bob via telegram")
	})
	onBehalfRecorded(t, h, p.ID, "Bob via telegram")
}

// onBehalfRecorded: the hub names the chat user and the connector in the
// prompt's outcome and the audit entry, whose actor stays the token's
// maker (the deciding principal).
func onBehalfRecorded(t *testing.T, h *Hub, id, want string) {
	t.Helper()
	var got apiPrompt
	for _, p := range prompts(h.URL, "?state=closed") {
		if p.ID == id {
			got = p
		}
	}
	if got.DecidedBy == nil || *got.DecidedBy != want || !strings.Contains(got.Outcome, "Approved by "+want) {
		t.Fatalf("the hub's record of who answered = %v, outcome %q; want %q", got.DecidedBy, got.Outcome, want)
	}
	audit := Get(h.URL + "/admin/audit")
	if !strings.Contains(audit, id+" allow by "+want) {
		t.Fatalf("the audit does not name %q for prompt %s", want, id)
	}
}

// The connector's token decides with its own rights: a viewer's connector
// cannot approve, the presser is told why, and the prompt stays open.
func TestConnectTelegramViewerCannotApprove(t *testing.T) {
	h := StartHub(t, t.TempDir(), "127.0.0.1:0")
	tok := MintToken(t, h.URL, "admin", AdminPassword, map[string]string{"name": "tg-viewer", "kind": "api", "role": "viewer"})
	f := connecttest.NewTelegram("123:bot-secret", tgChat)
	t.Cleanup(f.Close) // registered first, so it runs after the connector is stopped
	startConnect(t, h, f, tok)
	StartWrap(t, nil, "--hub", h.URL, "--name", "tgview", "--", "bash", "-c", `printf 'Drop the database? [y/N] '; read a; echo "answer=$a"; sleep 30`)
	p := waitPending(t, h.URL)
	post := f.WaitSent(t, "with the prompt's buttons", func(s connecttest.Sent) bool { return len(s.Buttons) == 2 })
	f.Press(42, "Mallory", post.MessageID, "ct:allow:"+p.ID)
	f.WaitAnswer(t, "a refusal", func(a string) bool { return strings.HasPrefix(a, "The hub refused") })
	if ps := prompts(h.URL, "?state=pending"); len(ps) != 1 || ps[0].ID != p.ID {
		t.Fatalf("the viewer's press settled the prompt: %+v", ps)
	}
}

// Slack: a message to the connector reaches the channel, a channel message
// reaches the hub, and "allow ID" typed in the channel approves a real
// prompt, whose post is then edited to say so.
func TestConnectSlack(t *testing.T) {
	h := StartHub(t, t.TempDir(), "127.0.0.1:0")
	tok := MintToken(t, h.URL, "admin", AdminPassword, map[string]string{"name": "slack", "kind": "api"})
	f := connecttest.NewSlack("xoxb-e2e", "C0123")
	t.Cleanup(f.Close) // registered first, so it runs after the connector is stopped
	startConnector(t, h, tok, []string{"CT_SLACK_TOKEN=" + f.Token, "CT_SLACK_CHANNEL=" + f.Channel, "CT_SLACK_API=" + f.URL, "CT_SLACK_POLL=50ms"},
		"slack", "--to", "e2e-admin")

	if code, body := PostJSON(h.URL+"/api/v1/messages", map[string]any{"to": "slack", "body": "release at five"}); code != 201 && code != 200 {
		t.Fatalf("send: %d %s", code, body)
	}
	relayed := f.WaitSent(t, "with the hub message", func(m connecttest.SlackMessage) bool { return strings.Contains(m.Text, "release at five") })
	top := f.Say("U1", "Dana", "to e2e-admin: on it")
	var onIt e2eMessage
	WaitFor(t, 15*time.Second, "the channel message in the hub inbox", func() bool {
		for _, m := range inbox(h.URL) {
			if m.Body == "on it" && m.From == "slack" && strings.Contains(m.Subject, "Dana on slack") {
				onIt = m
				return true
			}
		}
		return false
	})
	slackThreadReplies(t, h, f, relayed.TS, top, onIt)

	StartWrap(t, nil, "--hub", h.URL, "--name", "slbox", "--", "bash", "-c", `printf 'Push to prod? [y/N] '; read a; echo "answer=$a"; sleep 30`)
	s := SessionFor(t, h.URL, "slbox")
	p := waitPending(t, h.URL)
	post := f.WaitSent(t, "with the prompt and its commands", func(m connecttest.SlackMessage) bool {
		return strings.Contains(m.Text, "Push to prod?") && strings.Contains(m.Text, "`allow "+p.ID+"`")
	})
	f.Say("U1", "Dana", "allow "+p.ID)
	WaitFor(t, 15*time.Second, "the program got y", func() bool {
		return strings.Contains(Get(h.URL+"/api/v1/sessions/"+s.ID+"/screen"), "answer=y")
	})
	f.WaitSent(t, "the prompt post edited", func(m connecttest.SlackMessage) bool {
		return m.TS == post.TS && m.Edited && strings.Contains(m.Text, "Allowed by Dana via slack")
	})
	onBehalfRecorded(t, h, p.ID, "Dana via slack")
}

// slackThreadReplies: a reply in the Slack thread of a relayed hub message
// is a hub reply to that message (to its sender); a reply in the thread of
// a channel message relayed before goes on in that one's hub thread.
func slackThreadReplies(t *testing.T, h *Hub, f *connecttest.Slack, hubPost, chatPost string, chatMsg e2eMessage) {
	t.Helper()
	var release e2eMessage
	var outbox []e2eMessage
	_ = json.Unmarshal([]byte(Get(h.URL+"/api/v1/messages?box=sent")), &outbox)
	for _, m := range outbox {
		if m.Body == "release at five" {
			release = m
		}
	}
	if release.ID == "" {
		t.Fatalf("the hub message to slack is not in the sender's sent box")
	}
	f.Reply("U1", "Dana", hubPost, "five works")
	f.Reply("U2", "Eli", chatPost, "I will watch the graphs")
	got := waitInboxBodies(t, h.URL, "five works", "I will watch the graphs")
	a, b := got["five works"], got["I will watch the graphs"]
	if a.Re != release.ID || a.To != "e2e-admin" || !strings.Contains(a.Subject, "Dana on slack") {
		t.Fatalf("thread reply to the hub message = %+v, want re %s to e2e-admin", a, release.ID)
	}
	if b.Re != chatMsg.ID || b.To != "e2e-admin" || !strings.Contains(b.Subject, "Eli on slack") {
		t.Fatalf("thread reply to the channel message = %+v, want re %s", b, chatMsg.ID)
	}
}
