package coord

import (
	"slices"
	"strings"
	"sync"
	"time"
)

// TypingWindow is how long a "typing" signal lasts: the browser sends one
// every couple of seconds while a person types, so a few seconds of
// silence means they stopped.
const TypingWindow = 6 * time.Second

// maxTyping bounds the typing table: one entry per (sender, recipient)
// pair; past it the oldest entries go, so a flood cannot grow memory.
const maxTyping = 1024

// Typing is one peer composing a message to another (a peer, @group or *).
type Typing struct {
	From string    `json:"from"`
	To   string    `json:"to"`
	Re   string    `json:"re,omitempty"` // the thread it replies in
	At   time.Time `json:"at"`
}

// typingTable remembers who is typing to whom, in memory only: it is
// live state that means nothing after a restart.
type typingTable struct {
	mu sync.Mutex // guards at: HTTP handlers set and read it concurrently
	at map[[2]string]Typing
}

// SetTyping records that from is composing a message to to (in thread re)
// and tells the recipients' live streams. It stores nothing.
func (s *Service) SetTyping(from, to, re string) error {
	to = strings.TrimSpace(to)
	if to == "" || len(to) > 130 || (to != "*" && !strings.HasPrefix(to, "@") && !peerName().MatchString(to)) {
		return errf(Invalid, "to is the peer, @group or * the message is for")
	}
	if len(re) > 20 {
		return errf(Invalid, "re is the id of the message replied to, such as 42")
	}
	t := Typing{From: from, To: to, Re: re, At: s.clock.Now().UTC()}
	s.typing.mu.Lock()
	if s.typing.at == nil {
		s.typing.at = map[[2]string]Typing{}
	}
	s.typing.at[[2]string{from, to}] = t
	if len(s.typing.at) > maxTyping {
		s.typing.pruneLocked(t.At)
	}
	s.typing.mu.Unlock()
	s.bus.Publish(Event{Type: "typing", At: t.At, Typing: &t})
	return nil
}

// pruneLocked drops expired entries, then the oldest, down to maxTyping.
func (tt *typingTable) pruneLocked(now time.Time) {
	var all []Typing
	for k, t := range tt.at {
		if now.Sub(t.At) >= TypingWindow {
			delete(tt.at, k)
			continue
		}
		all = append(all, t)
	}
	slices.SortFunc(all, func(a, b Typing) int { return a.At.Compare(b.At) })
	for i := 0; len(tt.at) > maxTyping && i < len(all); i++ {
		delete(tt.at, [2]string{all[i].From, all[i].To})
	}
}

// TypingTo lists who is typing to v right now (within TypingWindow),
// by name; a peer's own typing is left out.
func (s *Service) TypingTo(v Viewer) []Typing {
	now := s.clock.Now()
	s.typing.mu.Lock()
	defer s.typing.mu.Unlock()
	var out []Typing
	for _, t := range s.typing.at {
		if t.From == v.Peer || now.Sub(t.At) >= TypingWindow {
			continue
		}
		if addressedTo(&Message{To: t.To}, v.Peer, v.Groups) {
			out = append(out, t)
		}
	}
	slices.SortFunc(out, func(a, b Typing) int { return strings.Compare(a.From, b.From) })
	return out
}

// clearTyping forgets from's typing to to: the message was sent.
func (s *Service) clearTyping(from, to string) {
	s.typing.mu.Lock()
	delete(s.typing.at, [2]string{from, to})
	s.typing.mu.Unlock()
}
