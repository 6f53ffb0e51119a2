package db

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/ct-dev/ct/wire"
	bolt "go.etcd.io/bbolt"
)

// Buckets of the agents' token usage (schema in db.go).
var (
	bucketUsageCalls = []byte("usage_calls") // <session id>/<message id> -> JSON wire.Usage as counted
	bucketUsageDays  = []byte("usage_days")  // "YYYY-MM-DD\x00kind\x00name" -> JSON DayUsage
)

// maxCostConversations bounds the agent conversations one session keeps a
// running cost for (a /clear starts a new one).
const maxCostConversations = 32

// TokenUsage is the model usage of one session, summed as its transcript's
// usage entries are stored (never recomputed from the log).
type TokenUsage struct {
	wire.TokenCounts
	Calls   int       `json:"calls"`
	Model   string    `json:"model,omitempty"`   // the last call's
	Context int64     `json:"context,omitempty"` // tokens in the context at the last call
	Window  int64     `json:"window,omitempty"`  // the window the agent asked for, 0: not said
	LastAt  time.Time `json:"last_at,omitzero"`
	// Costs is the agent's own running cost per conversation: Base is its
	// total before this session's first counted call (a resumed
	// conversation's earlier runs), Latest the last one reported.
	Costs map[string]CostMark `json:"costs,omitempty"`
}

// CostMark is one conversation's reported cost, see TokenUsage.Costs.
type CostMark struct {
	Base   float64 `json:"base"`
	Latest float64 `json:"latest"`
}

// CostUSD is what the agent says this session cost, and whether it said.
func (u TokenUsage) CostUSD() (float64, bool) {
	var sum float64
	for _, c := range u.Costs {
		sum += c.Latest - c.Base
	}
	return sum, len(u.Costs) > 0
}

// DayUsage is one person's or machine's usage on one day (UTC).
type DayUsage struct {
	Day  string `json:"day"`  // YYYY-MM-DD
	Kind string `json:"kind"` // "person" or "machine"
	Name string `json:"name"`
	wire.TokenCounts
	Calls   int     `json:"calls"`
	CostUSD float64 `json:"cost_usd,omitempty"`
}

// Day kinds.
const (
	DayPerson  = "person"
	DayMachine = "machine"
)

// countUsage applies a stored usage entry to its session: a call counted
// once by message id (a repeat with other counts replaces them), a running
// cost kept per conversation. A call dated before the session started is
// an earlier run's, read again from a resumed conversation's file, and is
// not this session's.
func countUsage(tx *bolt.Tx, ss *Session, en wire.TranscriptEntry) error {
	if en.Cost != nil {
		return countCost(tx, ss, en)
	}
	u := en.Usage
	if u == nil || u.MsgID == "" || len(u.MsgID) > 256 || en.TS.Before(ss.StartedAt) {
		return nil
	}
	calls, err := tx.Bucket(bucketUsageCalls).CreateBucketIfNotExists([]byte(ss.ID))
	if err != nil {
		return fmt.Errorf("usage of %s: %w", ss.ID, err)
	}
	var old wire.Usage
	seen := false
	if v := calls.Get([]byte(u.MsgID)); v != nil {
		seen = json.Unmarshal(v, &old) == nil
	}
	counted := wire.Usage{MsgID: u.MsgID, Input: u.Input, Output: u.Output, CacheCreation: u.CacheCreation, CacheRead: u.CacheRead}
	if seen && old == counted {
		return nil
	}
	b, _ := json.Marshal(counted)
	if err := calls.Put([]byte(u.MsgID), b); err != nil {
		return err
	}
	delta := wire.Usage{Input: u.Input - old.Input, Output: u.Output - old.Output,
		CacheCreation: u.CacheCreation - old.CacheCreation, CacheRead: u.CacheRead - old.CacheRead}
	t := ss.Tokens
	if t == nil {
		t = &TokenUsage{}
		ss.Tokens = t
	}
	t.Add(delta)
	if !seen {
		t.Calls++
	}
	t.Model, t.Context, t.LastAt = u.Model, u.Context(), en.TS
	if u.Window > 0 {
		t.Window = u.Window
	}
	return addDays(tx, ss, en.TS, func(d *DayUsage) {
		d.Add(delta)
		if !seen {
			d.Calls++
		}
	})
}

// countCost keeps a conversation's running cost; see TokenUsage.Costs.
func countCost(tx *bolt.Tx, ss *Session, en wire.TranscriptEntry) error {
	c := en.Cost
	if c.Conversation == "" || c.TotalUSD < 0 {
		return nil
	}
	if ss.Tokens == nil {
		ss.Tokens = &TokenUsage{}
	}
	t := ss.Tokens
	m, ok := t.Costs[c.Conversation]
	if !ok && len(t.Costs) >= maxCostConversations {
		return nil
	}
	if t.Calls == 0 { // nothing of this session's yet: an earlier run's total
		m.Base = c.TotalUSD
	}
	grew := c.TotalUSD - m.Latest
	if !ok {
		grew = c.TotalUSD - m.Base
	}
	m.Latest = c.TotalUSD
	if t.Costs == nil {
		t.Costs = map[string]CostMark{}
	}
	t.Costs[c.Conversation] = m
	if grew <= 0 {
		return nil
	}
	return addDays(tx, ss, en.TS, func(d *DayUsage) { d.CostUSD += grew })
}

// addDays applies fn to the day's totals of the session's machine and of the
// person whose node it is.
func addDays(tx *bolt.Tx, ss *Session, ts time.Time, fn func(*DayUsage)) error {
	day := ts.UTC().Format(time.DateOnly)
	keys := []DayUsage{{Day: day, Kind: DayMachine, Name: ss.Node}}
	if v := tx.Bucket(bucketNodes).Get([]byte(ss.Node)); v != nil {
		var n Node
		if json.Unmarshal(v, &n) == nil && n.User != "" {
			keys = append(keys, DayUsage{Day: day, Kind: DayPerson, Name: n.User})
		}
	}
	days := tx.Bucket(bucketUsageDays)
	for _, k := range keys {
		key := []byte(k.Day + "\x00" + k.Kind + "\x00" + k.Name)
		d := k
		if v := days.Get(key); v != nil {
			_ = json.Unmarshal(v, &d)
		}
		fn(&d)
		b, _ := json.Marshal(d)
		if err := days.Put(key, b); err != nil {
			return fmt.Errorf("usage of %s: %w", k.Day, err)
		}
	}
	return nil
}

// UsageOfDay lists the people's and machines' usage on day (YYYY-MM-DD),
// people first, each by name.
func (s *Store) UsageOfDay(day string) ([]DayUsage, error) {
	var out []DayUsage
	err := s.bolt.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketUsageDays).Cursor()
		prefix := []byte(day + "\x00")
		for k, v := c.Seek(prefix); k != nil && strings.HasPrefix(string(k), string(prefix)); k, v = c.Next() {
			var d DayUsage
			if err := json.Unmarshal(v, &d); err != nil {
				return fmt.Errorf("decode usage %q: %w", k, err)
			}
			out = append(out, d)
		}
		return nil
	})
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Kind != out[j].Kind {
			return out[i].Kind == DayPerson
		}
		return out[i].Name < out[j].Name
	})
	return out, err
}

// dropUsageCalls forgets the call ids of a session whose log is gone: its
// sums stay in the session record.
func dropUsageCalls(tx *bolt.Tx, id string) error {
	if tx.Bucket(bucketUsageCalls).Bucket([]byte(id)) == nil {
		return nil
	}
	return tx.Bucket(bucketUsageCalls).DeleteBucket([]byte(id))
}
