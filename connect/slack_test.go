package connect

import (
	"context"
	"strings"
	"testing"

	"github.com/ct-dev/ct/connecttest"
)

func TestSlackTSAfter(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want bool
	}{
		{"1700000000.000200", "1700000000.000100", true},
		{"1700000000.000100", "1700000000.000100", false},
		{"1700000001.000000", "1700000000.999999", true},
		{"1700000000.1", "1700000000.000100", true},
	} {
		if got := tsAfter(c.a, c.b); got != c.want {
			t.Errorf("tsAfter(%s, %s) = %v", c.a, c.b, got)
		}
	}
}

// Next gives people's channel messages once, never the app's own posts,
// and reads "allow ID" as a press through the relay's typedPress.
func TestSlackNext(t *testing.T) {
	f, s := checkedSlack(t)
	ctx := context.Background()
	if _, err := s.Post(ctx, Post{Text: "from the hub", Buttons: []Button{{Label: "Allow", Data: "ct:allow:abc"}}}); err != nil {
		t.Fatal(err)
	}
	f.Say("U7", "Kim", "allow abc")
	ins, err := s.Next(ctx)
	if err != nil || len(ins) != 1 || ins[0].From != "Kim" || ins[0].Text != "allow abc" {
		t.Fatalf("next = %+v, %v", ins, err)
	}
	if data, ok := typedPress(ins[0].Text); !ok || data != "ct:allow:abc" {
		t.Fatalf("typedPress = %q %v", data, ok)
	}
	if again, _ := s.Next(ctx); len(again) != 0 {
		t.Fatalf("read twice: %+v", again)
	}
	posted := f.WaitSent(t, "the post", func(m connecttest.SlackMessage) bool { return strings.HasPrefix(m.Text, "from the hub") })
	if !strings.Contains(posted.Text, "`allow abc`") {
		t.Fatalf("buttons not as commands: %q", posted.Text)
	}
	err = NewSlack(f.URL, "xoxb-wrong", f.Channel, 1, nil).Check(ctx)
	if err == nil || !strings.Contains(err.Error(), "CT_SLACK_TOKEN") {
		t.Fatalf("wrong token: %v", err)
	}
	if err := NewSlack(f.URL, f.Token, "C9", 1, nil).Edit(ctx, "1.0", "x"); err == nil || !strings.Contains(err.Error(), "CT_SLACK_CHANNEL") {
		t.Fatalf("wrong channel: %v", err)
	}
}

func TestAddressed(t *testing.T) {
	for text, want := range map[string]string{"/to bob hi there": "bob|hi there", "to @ops: deploy": "@ops|deploy", "to be or not: x": "", "hello": ""} {
		to, body, ok := addressed(text)
		got := ""
		if ok {
			got = to + "|" + body
		}
		if got != want {
			t.Errorf("addressed(%q) = %q, want %q", text, got, want)
		}
	}
}

// A reply in a thread (not in conversations.history) is read once, as an
// answer to the thread's parent; the app's own replies are not.
func TestSlackThreadReplies(t *testing.T) {
	f, s := checkedSlack(t)
	ctx := context.Background()
	parent, err := s.Post(ctx, Post{Text: "from the hub"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Post(ctx, Post{Text: "the app in its thread", ReplyTo: parent}); err != nil {
		t.Fatal(err)
	}
	f.Reply("U7", "Kim", parent, "looks good")
	ins, err := s.Next(ctx)
	if err != nil || len(ins) != 1 || ins[0].Text != "looks good" || ins[0].ReplyTo != parent || ins[0].Ref != parent || ins[0].From != "Kim" {
		t.Fatalf("next = %+v, %v", ins, err)
	}
	if again, _ := s.Next(ctx); len(again) != 0 {
		t.Fatalf("reply read twice: %+v", again)
	}
	top := f.Say("U8", "Lee", "a new topic")
	f.Reply("U7", "Kim", parent, "and another")
	f.Reply("U8", "Lee", top, "in my own thread")
	ins, err = s.Next(ctx)
	var got []string
	for _, in := range ins {
		got = append(got, in.Text+"|"+in.ReplyTo)
	}
	want := []string{"and another|" + parent, "a new topic|", "in my own thread|" + top}
	if err != nil || strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("next = %q, %v; want %q", got, err, want)
	}
}

// checkedSlack is a fake Slack and a client that passed Check against it.
func checkedSlack(t *testing.T) (*connecttest.Slack, *Slack) {
	t.Helper()
	f := connecttest.NewSlack("xoxb-t", "C1")
	t.Cleanup(f.Close)
	s := NewSlack(f.URL, f.Token, f.Channel, 1, nil)
	if err := s.Check(context.Background()); err != nil {
		t.Fatal(err)
	}
	return f, s
}
