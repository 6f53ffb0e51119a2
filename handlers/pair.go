package handlers

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ct-dev/ct/auth"
	"github.com/ct-dev/ct/views"
)

// Pairing codes: short, single use, short-lived, held in memory only (a
// hub restart voids the ones not used yet; a person just opens the page
// again).
const (
	pairCodeTTL  = 10 * time.Minute
	pairCodeLen  = 8                                  // shown as XXXX-XXXX: 32^8 = 2^40 codes
	pairAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789" // no I, O, 0, 1: read aloud or off a screen
	maxPairCodes = 256                                // outstanding at once, over all people
)

// Wrong codes per address: 3 free, then one try per 20 s doubling to 5 min,
// forgotten after 10 min. Guessing one of 2^40 codes within a code's 10
// minutes is hopeless even from many addresses; a mistyped code costs
// seconds.
const (
	pairFailsPerAddr = 3
	pairDelay        = 20 * time.Second
	pairMaxDelay     = 5 * time.Minute
	pairWindow       = 10 * time.Minute
)

// pairing is one outstanding code: whose it is and until when.
type pairing struct {
	user    string
	expires time.Time
}

// pairings holds the outstanding codes. Its lock guards the map: the page
// issues, downloads peek and ct login takes, from any request goroutine.
type pairings struct {
	mu    sync.Mutex
	codes map[string]pairing // normalised code -> pairing
	fails *auth.Limiter      // wrong codes per address
}

func newPairings() *pairings {
	return &pairings{codes: map[string]pairing{}, fails: auth.NewLimiter(pairFailsPerAddr, pairDelay, pairMaxDelay, pairWindow)}
}

// errTooManyCodes: the table is full of live codes.
var errTooManyCodes = errors.New("too many pairing codes outstanding")

// issue makes a new code for user.
func (p *pairings) issue(user string, now time.Time) (string, time.Time, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for c, x := range p.codes {
		if now.After(x.expires) {
			delete(p.codes, c)
		}
	}
	if len(p.codes) >= maxPairCodes {
		return "", time.Time{}, errTooManyCodes
	}
	b := make([]byte, pairCodeLen)
	for {
		_, _ = rand.Read(b)
		for i := range b {
			b[i] = pairAlphabet[int(b[i])%len(pairAlphabet)] // 256 is a multiple of 32: no bias
		}
		if _, taken := p.codes[string(b)]; !taken {
			break
		}
	}
	x := pairing{user: user, expires: now.Add(pairCodeTTL)}
	p.codes[string(b)] = x
	return string(b), x.expires, nil
}

// lookup returns the live pairing for code; take also uses it up.
func (p *pairings) lookup(code string, now time.Time, take bool) (pairing, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	x, ok := p.codes[code]
	if !ok || now.After(x.expires) {
		delete(p.codes, code)
		return pairing{}, false
	}
	if take {
		delete(p.codes, code)
	}
	return x, true
}

// normalizePairCode accepts a code as typed (any case, dashes, spaces) and
// returns it as stored, or "" when it cannot be one.
func normalizePairCode(s string) string {
	if len(s) > 32 {
		return ""
	}
	s = strings.ToUpper(strings.NewReplacer("-", "", " ", "").Replace(s))
	if len(s) != pairCodeLen || strings.Trim(s, pairAlphabet) != "" {
		return ""
	}
	return s
}

// formatPairCode shows a code as XXXX-XXXX.
func formatPairCode(c string) string { return c[:4] + "-" + c[4:] }

// checkPairCode looks code up under the per-address limit on wrong codes;
// take uses it up. A wrong code is a 401, too many a 429.
func (s *Server) checkPairCode(r *http.Request, code string, take bool) (pairing, *Error) {
	addr, now := clientAddr(r), time.Now()
	if wait := s.pairs.fails.Begin(addr, now); wait > 0 {
		return pairing{}, errorf(http.StatusTooManyRequests, "Too many wrong pairing codes from this address; try again in "+strconv.Itoa(int(wait.Seconds())+1)+" s.")
	}
	x, ok := s.pairs.lookup(normalizePairCode(code), now, take)
	if !ok {
		s.pairs.fails.Done(addr, now, false)
		return pairing{}, errorf(http.StatusUnauthorized, "That pairing code is unknown, used or expired; open Add a workstation (/pair) on the hub for a new one.")
	}
	// Release, not Done(ok): a right code must not wipe an address's
	// record of wrong ones (a spray could reset itself).
	s.pairs.fails.Release(addr)
	return x, nil
}

// handlePairShow is GET /pair: the Add a workstation page, before a code.
func (s *Server) handlePairShow(w http.ResponseWriter, r *http.Request) error {
	return render(w, r, views.PairView(s.pairPage(r)))
}

// handlePairCreate is POST /pair: a new code for the person asking, shown
// with the commands that install ct and log in with it.
func (s *Server) handlePairCreate(w http.ResponseWriter, r *http.Request) error {
	m := s.pairPage(r)
	if !m.CanPair {
		return errorf(http.StatusForbidden, "Only members and admins can add workstations; ask an admin.")
	}
	code, expires, err := s.pairs.issue(principal(r).User, time.Now())
	if err != nil {
		return errorf(http.StatusServiceUnavailable, "Too many pairing codes are open right now; try again in a few minutes.")
	}
	s.audit(r, "pair.create", "code valid until "+expires.UTC().Format(time.RFC3339))
	m.Code, m.Expires = formatPairCode(code), expires.Local().Format("15:04")
	m.Unix, m.PowerShell = pairCommands(m.Hub, m.Code)
	return render(w, r, views.PairView(m))
}

func (s *Server) pairPage(r *http.Request) views.PairPage {
	p := principal(r)
	return views.PairPage{Hub: hubURL(r), CanPair: auth.RoleRank(p.Role) >= auth.RoleRank(auth.RoleMember), Minutes: int(pairCodeTTL.Minutes())}
}

// pairCommands are the one-liners a new workstation runs: download ct from
// this hub with the code, then log in with it. Nothing but the hub is
// reached.
func pairCommands(hub, code string) (unix, powershell string) {
	unix = `os=$(uname -s | tr A-Z a-z); arch=$(uname -m | sed 's/x86_64/amd64/;s/aarch64/arm64/'); ` +
		`curl -fsSLo ct "` + hub + `/download/$os/$arch?code=` + code + `" && chmod +x ct && ./ct login --hub ` + hub + ` --code ` + code
	powershell = `$a = if ($env:PROCESSOR_ARCHITECTURE -eq 'ARM64') {'arm64'} else {'amd64'}; ` +
		`irm "` + hub + `/download/windows/${a}?code=` + code + `" -OutFile ct.exe; .\ct.exe login --hub ` + hub + ` --code ` + code
	return unix, powershell
}

// pairRequest is what ct login --code sends.
type pairRequest struct {
	Code string `json:"code"`
	Name string `json:"name"` // the machine's name on the hub
}

// handleAPIPairRedeem is POST /api/v1/pair, reachable without logging in:
// the code is the credential. It makes a machine token for the code's
// owner, as if they had made it on the Tokens page, and uses the code up.
func (s *Server) handleAPIPairRedeem(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, 4<<10)
	var in pairRequest
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		return errorf(http.StatusBadRequest, `body must be JSON like {"code":"ABCD-2345","name":"laptop"}`)
	}
	if !nameRE().MatchString(in.Name) {
		return errorf(http.StatusBadRequest, "Machine name must be 1-128 letters, digits, dots, dashes or underscores (ct login --name).")
	}
	x, e := s.checkPairCode(r, in.Code, false)
	if e != nil {
		return e
	}
	u, err := s.store.GetUser(x.user)
	if err != nil || u.Disabled {
		return errorf(http.StatusForbidden, "The person who opened this code is disabled or gone.")
	}
	p := auth.Principal{User: u.Name, Role: u.Role, Grants: u.Grants, Kind: auth.KindSession}
	if !p.CanDrive(in.Name) {
		return errorf(http.StatusForbidden, u.Name+" may not add a machine named "+in.Name+"; pick a name they are granted (ct login --name) or ask an admin.")
	}
	// Checked, now used up: of two logins racing with one code, one wins.
	if _, e := s.checkPairCode(r, in.Code, true); e != nil {
		return e
	}
	plain, t, e := s.mintToken(p, tokenRequest{Name: in.Name, Kind: auth.KindMachine, Machine: in.Name})
	if e != nil {
		return e
	}
	s.auditAs(r, u.Name, "pair.redeem", "machine "+t.Name+" ("+t.ID+")")
	writeJSON(w, http.StatusCreated, map[string]any{"token": plain, "id": t.ID, "machine": t.Machine, "user": u.Name})
	return nil
}
