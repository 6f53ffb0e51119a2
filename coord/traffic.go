package coord

import (
	"cmp"
	"encoding/json"
	"slices"
	"time"

	"github.com/ct-dev/ct/db"
)

// maxTrafficScan bounds how many of the newest messages Traffic reads: a
// busy hub's day of messages stays a fast page render.
const maxTrafficScan = 20000

// Edge is how many messages one peer sent another (a peer, @group or *)
// in a period.
type Edge struct {
	From  string `json:"from"`
	To    string `json:"to"`
	Count int    `json:"count"`
}

// Traffic counts who messaged whom since the given time among the
// messages v may see (every message for an admin), busiest first, ties
// by names. Reminder and webhook messages count under their sender.
func (s *Service) Traffic(v Viewer, since time.Time) ([]Edge, error) {
	counts := map[[2]string]int{}
	seen := 0
	err := s.store.CoordView(func(tx db.CoordTx) error {
		return tx.Each(bMessages, true, func(_, val []byte) (bool, error) {
			var m Message
			if err := json.Unmarshal(val, &m); err != nil {
				return false, err
			}
			if m.TS.Before(since) {
				return false, nil // newest first: the rest are older
			}
			if v.canSee(&m) {
				counts[[2]string{m.From, m.To}]++
			}
			seen++
			return seen < maxTrafficScan, nil
		})
	})
	out := make([]Edge, 0, len(counts))
	for k, n := range counts {
		out = append(out, Edge{From: k[0], To: k[1], Count: n})
	}
	slices.SortFunc(out, func(a, b Edge) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.From, b.From), cmp.Compare(a.To, b.To))
	})
	return out, err
}
