package e2e

import (
	"context"
	"testing"
	"time"

	"github.com/ct-dev/ct/client"
	"github.com/ct-dev/ct/coord"
)

// ct serve --template (issue 19 item 6) on a real hub: the first start
// shares the template's skills, keys and welcome, and a message without a
// priority gets the template's default for its type; a restart with
// another template changes nothing.
func TestServeTemplateAppliedOnce(t *testing.T) {
	data := t.TempDir()
	h := StartHub(t, data, "127.0.0.1:0", "--template", "ops-incident")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	peer := func(h *Hub) *client.Client {
		return client.New(client.Config{Hub: h.URL, Token: h.Token, Peer: "alice"})
	}
	c := peer(h)
	if k, err := c.GetSkill(ctx, "incident-runbook", 0); err != nil || k.SharedBy != "ct" {
		t.Fatalf("template skill: %+v %v", k, err)
	}
	if st, err := c.GetState(ctx, "hub/roles", false); err != nil || st.Value == "" {
		t.Fatalf("hub/roles: %+v %v", st, err)
	}
	m, _, err := c.SendMessage(ctx, coord.Message{To: "*", Type: "blocker", Subject: "db down"})
	if err != nil || m.Priority != "P0" {
		t.Fatalf("a blocker: %q %v, want the template's P0", m.Priority, err)
	}
	welcomes := func(c *client.Client) int {
		list, err := c.ListMessages(ctx, coord.MessageFilter{Query: "Welcome ("}, 0)
		if err != nil {
			t.Fatal(err)
		}
		return len(list)
	}
	if n := welcomes(c); n != 1 {
		t.Fatalf("%d welcome messages, want 1", n)
	}
	h.Stop(t)

	h = StartHub(t, data, "127.0.0.1:0", "--template", "dev-team")
	c = peer(h)
	if _, err := c.GetSkill(ctx, "team-workflow", 0); err == nil {
		t.Fatal("a second start applied another template")
	}
	if n := welcomes(c); n != 1 {
		t.Fatalf("after a restart: %d welcome messages, want still 1", n)
	}
}
