package coord

import (
	"encoding/json"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ct-dev/ct/db"
)

const bState = "coord_state"

// State key bounds: a state key is a small shared value ("build: green",
// "schema: v2"), not a file store, and its history is bounded so a key
// set in a loop cannot grow the store without end.
const (
	MaxStateValue   = 4 << 10
	StateHistoryLen = 50
)

// StateValue is one value a state key had: who set it, when, and its
// version (1, 2, ... per key).
type StateValue struct {
	Key     string    `json:"key"`
	Value   string    `json:"value"`
	By      string    `json:"by"`
	At      time.Time `json:"at"`
	Version uint64    `json:"version"`
}

// StateKey is a key's current value and its earlier ones, newest first
// (History holds at most StateHistoryLen-1 earlier values).
type StateKey struct {
	StateValue
	History []StateValue `json:"history,omitempty"`
}

// StateSetRequest is PUT /api/v1/state/{key}.
type StateSetRequest struct {
	Value string `json:"value"`
}

func checkStateKey(key string) error {
	if !lockName().MatchString(key) {
		return errf(Invalid, "state key %q: use 1-200 letters, digits, '.', '_', ':', '/' or '-'", key)
	}
	return nil
}

// SetState sets key to value for by, keeping the earlier value in the
// key's history, and publishes a "state" event to every watcher.
func (s *Service) SetState(by, key, value string) (StateValue, error) {
	if err := checkStateKey(key); err != nil {
		return StateValue{}, err
	}
	if len(value) > MaxStateValue || !utf8.ValidString(value) {
		return StateValue{}, errf(TooLarge, "a state value is UTF-8 text of at most 4 KiB (this one is %d bytes); keep files in the repository and put a pointer here", len(value))
	}
	if err := checkSecrets("value", value); err != nil {
		return StateValue{}, err
	}
	now := s.clock.Now().UTC()
	var v StateValue
	err := s.store.CoordUpdate(func(tx db.CoordTx) error {
		var cur StateKey
		if err := tx.Get(bState, []byte(key), &cur); err != nil && err != db.ErrNotFound {
			return err
		}
		v = StateValue{Key: key, Value: value, By: by, At: now, Version: cur.Version + 1}
		next := StateKey{StateValue: v}
		if cur.Version > 0 {
			next.History = append([]StateValue{cur.StateValue}, cur.History...)
			next.History = next.History[:min(len(next.History), StateHistoryLen-1)]
		}
		return tx.Put(bState, []byte(key), next)
	})
	if err != nil {
		return StateValue{}, err
	}
	s.bus.Publish(Event{Type: "state", At: now, State: &v, Notice: by + " set " + key + " to " + oneLine(value, 80)})
	return v, nil
}

// GetState returns key's current value, and its history when history is
// set. A key never set is version 0 with an empty value, so a watcher can
// start waiting before the first value.
func (s *Service) GetState(key string, history bool) (StateKey, error) {
	if err := checkStateKey(key); err != nil {
		return StateKey{}, err
	}
	var cur StateKey
	err := s.store.CoordView(func(tx db.CoordTx) error { return tx.Get(bState, []byte(key), &cur) })
	if err == db.ErrNotFound {
		return StateKey{StateValue: StateValue{Key: key}}, nil
	}
	if !history {
		cur.History = nil
	}
	return cur, err
}

// oneLine is s cut to n runes on its first line, for a notice.
func oneLine(s string, n int) string {
	s, _, cut := strings.Cut(s, "\n")
	if r := []rune(s); len(r) > n {
		s, cut = string(r[:n]), true
	}
	if cut {
		s += "…"
	}
	return s
}

// MaxStateKeys bounds how many keys States returns: the Team page shows a
// team's handful of shared values, not a database.
const MaxStateKeys = 200

// States lists every state key in key order with its current value and up
// to history earlier values (newest first), at most MaxStateKeys keys.
func (s *Service) States(history int) ([]StateKey, error) {
	var out []StateKey
	err := s.store.CoordView(func(tx db.CoordTx) error {
		return tx.Each(bState, false, func(_, v []byte) (bool, error) {
			var k StateKey
			if err := json.Unmarshal(v, &k); err != nil {
				return false, err
			}
			k.History = k.History[:min(len(k.History), max(history, 0))]
			out = append(out, k)
			return len(out) < MaxStateKeys, nil
		})
	})
	return out, err
}
