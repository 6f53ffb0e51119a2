package notify

import (
	"strings"

	"github.com/ct-dev/ct/coord"
)

// FollowMessages sends P0 messages to the people they are addressed to
// (by name, or everyone for "*"), from the coordination bus, until the bus
// or the notifier closes. P0 is for what cannot wait: it comes through
// quiet hours.
func (n *Notifier) FollowMessages(bus *coord.Bus) {
	sub := bus.Subscribe("", nil, true) // before returning: no message sent after the call is missed
	n.wg.Add(1)
	go func() {
		defer n.wg.Done()
		for ; ; sub = bus.Subscribe("", nil, true) {
			got := 0
			for open := true; open; {
				select {
				case <-n.done:
					bus.Unsubscribe(sub)
					return
				case e, ok := <-sub.C:
					if !ok {
						open = false
						break
					}
					got++
					if e.Type == "message" && e.Message != nil && e.Message.Priority == "P0" {
						m := *e.Message
						select {
						case n.events <- event{msg: &m}:
						default:
							n.log.Warn("notification queue full; dropped a P0 message", "message", m.ID)
						}
					}
				}
			}
			// The bus closes a subscriber that fell 256 events behind; one
			// that closed with nothing received means the bus itself closed.
			if got == 0 {
				return
			}
		}
	}()
}

// messageEvent sends a P0 message to the people it names.
func (n *Notifier) messageEvent(m coord.Message) {
	users, err := n.store.Users()
	if err != nil {
		n.log.Warn("notify: list users", "error", err)
		return
	}
	body := strings.Join(strings.Fields(m.Body), " ")
	if r := []rune(body); len(r) > 180 {
		body = string(r[:179]) + "…"
	}
	msg := Message{Tag: "m-" + m.ID, Title: "P0 from " + m.From + ": " + m.Subject, Body: body, URL: "/"}
	for _, u := range users {
		if u.Disabled || u.Name == m.From || (m.To != u.Name && m.To != "*") {
			continue
		}
		prefs, err := n.store.NotifyPrefs(u.Name)
		if err != nil || !prefs.P0 {
			continue
		}
		n.send(u.Name, msg)
	}
}
