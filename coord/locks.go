package coord

import (
	"encoding/json"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/ct-dev/ct/db"
)

const bLocks = "coord_locks"

// lockName allows paths ("repo/db/schema") as well as plain names. Compiled
// at first use, as every name pattern here: a {0,N} repeat compiles to N
// copies, and package init is paid by every ct process (ct hook included).
var lockName = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._:/-]{0,199}$`) })

// Lease bounds: a lock always expires on its own, so a crashed holder
// never blocks the team for long.
const (
	DefaultTTL = 10 * time.Minute
	MaxTTL     = 24 * time.Hour
	MinTTL     = time.Second
)

// Lock is an advisory named lock held by a peer until its lease ends.
type Lock struct {
	Name       string    `json:"name"`
	Holder     string    `json:"holder"`
	Reason     string    `json:"reason,omitempty"`
	AcquiredAt time.Time `json:"acquired_at"`
	Until      time.Time `json:"until"`
}

// Acquire takes lock name for holder for ttl, or renews it when holder
// already has it. It fails naming the holder and until when if someone
// else holds an unexpired lease.
func (s *Service) Acquire(holder, name string, ttl time.Duration, reason string) (Lock, error) {
	name = strings.TrimSpace(name)
	if !lockName().MatchString(name) {
		return Lock{}, errf(Invalid, "lock name %q: use 1-200 letters, digits, '.', '_', ':', '/' or '-'", name)
	}
	if ttl == 0 {
		ttl = DefaultTTL
	}
	if ttl < MinTTL || ttl > MaxTTL {
		return Lock{}, errf(Invalid, "ttl %s is outside 1s..24h; renew a lock instead of taking a long one", ttl)
	}
	if err := checkSecrets("reason", reason); err != nil {
		return Lock{}, err
	}
	now := s.clock.Now().UTC()
	var l Lock
	renewed := false
	err := s.store.CoordUpdate(func(tx db.CoordTx) error {
		var cur Lock
		if tx.Get(bLocks, []byte(name), &cur) == nil && now.Before(cur.Until) {
			if cur.Holder != holder {
				return errf(Conflict, "lock %s is held by %s until %s (%s from now)%s", name, cur.Holder,
					cur.Until.Format(time.RFC3339), cur.Until.Sub(now).Round(time.Second), reasonSuffix(cur.Reason))
			}
			l, renewed = cur, true
		} else {
			l = Lock{Name: name, Holder: holder, AcquiredAt: now}
		}
		if reason != "" {
			l.Reason = reason
		}
		l.Until = now.Add(ttl)
		return tx.Put(bLocks, []byte(name), l)
	})
	if err != nil {
		return Lock{}, err
	}
	if !renewed {
		s.bus.Publish(Event{Type: "lock", At: now, By: holder, Lock: &l, Notice: holder + " took lock " + name + reasonSuffix(l.Reason)})
	}
	return l, nil
}

func reasonSuffix(r string) string {
	if r == "" {
		return ""
	}
	return ": " + r
}

// Release frees lock name. Only its holder may, unless admin (breaking it).
func (s *Service) Release(holder, name string, admin bool) error {
	now := s.clock.Now().UTC()
	var cur Lock
	err := s.store.CoordUpdate(func(tx db.CoordTx) error {
		if tx.Get(bLocks, []byte(name), &cur) != nil || !now.Before(cur.Until) {
			return errf(NotFound, "lock %s is not held by anyone", name)
		}
		if cur.Holder != holder && !admin {
			return errf(Forbidden, "lock %s is held by %s until %s; only its holder or an admin can release it", name, cur.Holder, cur.Until.Format(time.RFC3339))
		}
		return tx.Delete(bLocks, []byte(name))
	})
	if err != nil {
		return err
	}
	notice := holder + " released lock " + name
	if cur.Holder != holder {
		notice = holder + " broke " + cur.Holder + "'s lock " + name
	}
	cur.Until = now
	s.bus.Publish(Event{Type: "lock", At: now, By: holder, Lock: &cur, Notice: notice})
	return nil
}

// Locks lists the unexpired locks by name; expired ones are removed.
func (s *Service) Locks() ([]Lock, error) {
	now := s.clock.Now()
	var out []Lock
	var expired [][]byte
	err := s.store.CoordView(func(tx db.CoordTx) error {
		return tx.Each(bLocks, false, func(k, v []byte) (bool, error) {
			var l Lock
			if err := json.Unmarshal(v, &l); err != nil {
				return false, err
			}
			if now.Before(l.Until) {
				out = append(out, l)
			} else {
				expired = append(expired, append([]byte(nil), k...))
			}
			return true, nil
		})
	})
	if err == nil && len(expired) > 0 {
		// Collected first, deleted after: never delete while iterating.
		err = s.store.CoordUpdate(func(tx db.CoordTx) error {
			for _, k := range expired {
				var l Lock
				if tx.Get(bLocks, k, &l) == nil && !now.Before(l.Until) {
					if err := tx.Delete(bLocks, k); err != nil {
						return err
					}
				}
			}
			return nil
		})
	}
	return out, err
}
