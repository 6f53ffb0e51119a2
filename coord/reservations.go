package coord

import (
	"encoding/json"
	"fmt"
	"path"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/ct-dev/ct/db"
)

const bReservations = "coord_reservations"

// Reservation bounds: a reservation is a lease like a lock (it always
// expires), and its globs are few and short so that checking a commit's
// paths against every reservation of a repository stays cheap.
const (
	MaxRepoLen     = 300
	MaxGlobs       = 20
	MaxGlobLen     = 200
	MaxCheckPaths  = 5000
	MaxPathLen     = 4096
	maxReservation = 500 // live reservations per repository
)

// Reservation is a lease on the paths of a repository matching Globs,
// held by Holder until Until. Repo is whatever name the callers agree on;
// ct reserve and ct guard use the normalised git remote URL of origin
// ("github.com/org/repo"), or the top directory's name without a remote.
type Reservation struct {
	ID         string    `json:"id"`
	Repo       string    `json:"repo"`
	Globs      []string  `json:"globs"`
	Holder     string    `json:"holder"`
	Reason     string    `json:"reason,omitempty"`
	AcquiredAt time.Time `json:"acquired_at"`
	Until      time.Time `json:"until"`
}

// ReserveRequest is POST /api/v1/reservations.
type ReserveRequest struct {
	Repo   string   `json:"repo"`
	Globs  []string `json:"globs"`
	TTL    string   `json:"ttl"` // a Go duration; empty means DefaultTTL
	Reason string   `json:"reason"`
}

// CheckRequest is POST /api/v1/reservations/check: which of Paths are
// reserved by someone other than the caller.
type CheckRequest struct {
	Repo  string   `json:"repo"`
	Paths []string `json:"paths"`
}

// PathConflict is one path of a check that another peer's reservation covers.
type PathConflict struct {
	Path        string      `json:"path"`
	Glob        string      `json:"glob"`
	Reservation Reservation `json:"reservation"`
}

func checkRepo(repo string) error {
	if repo == "" || len(repo) > MaxRepoLen || strings.IndexFunc(repo, unicode.IsControl) >= 0 {
		return errf(Invalid, "repo %q: give 1-%d printable characters, e.g. the git remote URL (github.com/org/repo)", repo, MaxRepoLen)
	}
	return nil
}

func checkGlobs(globs []string) error {
	if len(globs) == 0 || len(globs) > MaxGlobs {
		return errf(Invalid, "give 1-%d globs (e.g. \"db/**\" or \"*.sql\"); reserve again for more", MaxGlobs)
	}
	for _, g := range globs {
		if g == "" || len(g) > MaxGlobLen || strings.HasPrefix(g, "/") || strings.IndexFunc(g, unicode.IsControl) >= 0 {
			return errf(Invalid, "glob %q: use 1-%d characters, relative to the repository's top (no leading /)", g, MaxGlobLen)
		}
		if _, err := path.Match(strings.ReplaceAll(g, "**", "*"), ""); err != nil {
			return errf(Invalid, "glob %q is malformed (%v); use *, ?, [abc] and ** for any depth", g, err)
		}
	}
	return nil
}

// MatchGlob reports whether the repository path p is covered by glob g:
// "*" "?" and "[..]" match within one path segment, a "**" segment
// matches any number of segments, and a glob that matches a directory
// covers everything under it ("db" covers "db/schema.sql").
func MatchGlob(g, p string) bool {
	gs, ps := strings.Split(strings.Trim(g, "/"), "/"), strings.Split(p, "/")
	for n := len(ps); n >= 1; n-- { // p itself, then each leading directory
		if matchSegs(gs, ps[:n]) {
			return true
		}
	}
	return false
}

func matchSegs(gs, ps []string) bool {
	for len(gs) > 0 {
		if gs[0] == "**" {
			for i := 0; i <= len(ps); i++ {
				if matchSegs(gs[1:], ps[i:]) {
					return true
				}
			}
			return false
		}
		if len(ps) == 0 {
			return false
		}
		if ok, _ := path.Match(gs[0], ps[0]); !ok {
			return false
		}
		gs, ps = gs[1:], ps[1:]
	}
	return len(ps) == 0
}

// overlaps is the advisory overlap test between two reservations' globs:
// identical, or one matching the other read as a path. It cannot see
// every overlap of two wildcards ("a/*.go" and "a/x*"), so the commit
// guard, which checks real paths, is the enforcing step.
func overlaps(a, b []string) (string, string, bool) {
	for _, x := range a {
		for _, y := range b {
			if x == y || MatchGlob(x, y) || MatchGlob(y, x) {
				return x, y, true
			}
		}
	}
	return "", "", false
}

// Reserve takes a reservation on globs in repo for holder for ttl. It
// fails naming the holder and reason when another peer's live
// reservation overlaps.
func (s *Service) Reserve(holder, repo string, globs []string, ttl time.Duration, reason string) (Reservation, error) {
	repo = strings.TrimSpace(repo)
	if err := checkRepo(repo); err != nil {
		return Reservation{}, err
	}
	if err := checkGlobs(globs); err != nil {
		return Reservation{}, err
	}
	if ttl == 0 {
		ttl = DefaultTTL
	}
	if ttl < MinTTL || ttl > MaxTTL {
		return Reservation{}, errf(Invalid, "ttl %s is outside 1s..24h; reserve again to renew instead of taking a long one", ttl)
	}
	if err := checkSecrets("reason", reason); err != nil {
		return Reservation{}, err
	}
	now := s.clock.Now().UTC()
	res := Reservation{Repo: repo, Globs: slices.Clone(globs), Holder: holder, Reason: reason, AcquiredAt: now, Until: now.Add(ttl)}
	err := s.store.CoordUpdate(func(tx db.CoordTx) error {
		live, err := liveReservations(tx, repo, now)
		if err != nil {
			return err
		}
		if len(live) >= maxReservation {
			return errf(TooMany, "repo %s already has %d reservations; release some (ct reserve --release ID) first", repo, len(live))
		}
		for _, cur := range live {
			if x, y, ok := overlaps(globs, cur.Globs); ok && cur.Holder != holder {
				return errf(Conflict, "%s overlaps %s reserved by %s until %s (reservation %s)%s", x, y, cur.Holder,
					cur.Until.Format(time.RFC3339), cur.ID, reasonSuffix(cur.Reason))
			}
		}
		seq, err := tx.NextSeq(bReservations)
		if err != nil {
			return err
		}
		res.ID = fmt.Sprintf("r%d", seq)
		return tx.Put(bReservations, db.SeqKey(seq), res)
	})
	if err != nil {
		return Reservation{}, err
	}
	s.bus.Publish(Event{Type: "reservation", At: now, Reservation: &res,
		Notice: holder + " reserved " + strings.Join(globs, " ") + " in " + repo + reasonSuffix(reason)})
	return res, nil
}

// liveReservations are repo's unexpired reservations ("" for every repo).
func liveReservations(tx db.CoordTx, repo string, now time.Time) ([]Reservation, error) {
	var out []Reservation
	err := tx.Each(bReservations, false, func(_, v []byte) (bool, error) {
		var r Reservation
		if err := json.Unmarshal(v, &r); err != nil {
			return false, err
		}
		if now.Before(r.Until) && (repo == "" || r.Repo == repo) {
			out = append(out, r)
		}
		return true, nil
	})
	return out, err
}

// ReleaseReservation ends reservation id. Only its holder may, unless admin.
func (s *Service) ReleaseReservation(holder, id string, admin bool) error {
	var seq uint64
	if _, err := fmt.Sscanf(id, "r%d", &seq); err != nil || fmt.Sprintf("r%d", seq) != id {
		return errf(Invalid, "reservation id %q: ids look like r12 (see ct reserve --list)", id)
	}
	now := s.clock.Now().UTC()
	var cur Reservation
	err := s.store.CoordUpdate(func(tx db.CoordTx) error {
		if tx.Get(bReservations, db.SeqKey(seq), &cur) != nil || !now.Before(cur.Until) {
			return errf(NotFound, "reservation %s is not held by anyone", id)
		}
		if cur.Holder != holder && !admin {
			return errf(Forbidden, "reservation %s is held by %s; only its holder or an admin can release it", id, cur.Holder)
		}
		return tx.Delete(bReservations, db.SeqKey(seq))
	})
	if err != nil {
		return err
	}
	cur.Until = now
	s.bus.Publish(Event{Type: "reservation", At: now, Reservation: &cur,
		Notice: holder + " released " + strings.Join(cur.Globs, " ") + " in " + cur.Repo})
	return nil
}

// Reservations lists live reservations of repo ("" for all), oldest
// first; expired ones are removed.
func (s *Service) Reservations(repo string) ([]Reservation, error) {
	now := s.clock.Now()
	var out []Reservation
	err := s.store.CoordUpdate(func(tx db.CoordTx) error {
		var expired [][]byte
		err := tx.Each(bReservations, false, func(k, v []byte) (bool, error) {
			var r Reservation
			if err := json.Unmarshal(v, &r); err != nil {
				return false, err
			}
			switch {
			case !now.Before(r.Until):
				expired = append(expired, append([]byte(nil), k...))
			case repo == "" || r.Repo == repo:
				out = append(out, r)
			}
			return true, nil
		})
		// Collected first, deleted after: never delete while iterating.
		for _, k := range expired {
			if err == nil {
				err = tx.Delete(bReservations, k)
			}
		}
		return err
	})
	return out, err
}

// CheckPaths returns, for each of paths in repo, the first live
// reservation held by someone other than holder that covers it.
func (s *Service) CheckPaths(holder, repo string, paths []string) ([]PathConflict, error) {
	if err := checkRepo(repo); err != nil {
		return nil, err
	}
	if len(paths) > MaxCheckPaths {
		return nil, errf(TooLarge, "%d paths is over the %d a check takes; commit in smaller steps", len(paths), MaxCheckPaths)
	}
	live, err := s.Reservations(repo)
	if err != nil {
		return nil, err
	}
	var out []PathConflict
	for _, p := range paths {
		if len(p) > MaxPathLen {
			return nil, errf(TooLarge, "a path is longer than %d bytes", MaxPathLen)
		}
	next:
		for _, r := range live {
			if r.Holder == holder {
				continue
			}
			for _, g := range r.Globs {
				if MatchGlob(g, p) {
					out = append(out, PathConflict{Path: p, Glob: g, Reservation: r})
					break next
				}
			}
		}
	}
	return out, nil
}
