package handlers

import (
	"encoding/json"
	"net/http"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/ct-dev/ct/auth"
)

var pairCodeRE = regexp.MustCompile(`data-testid="pair-code">([A-Z2-9]{4}-[A-Z2-9]{4})<`)

// newPairCode opens Add a workstation as c and returns the code shown.
func newPairCode(t *testing.T, f *authFixture, c cred) string {
	t.Helper()
	res := f.do("POST", "/pair", "", c, nil)
	m := pairCodeRE.FindStringSubmatch(res.body)
	if res.status != http.StatusOK || m == nil {
		t.Fatalf("POST /pair = %d, no code in %.400s", res.status, res.body)
	}
	return m[1]
}

func redeem(f *authFixture, code, name string) result {
	b, _ := json.Marshal(pairRequest{Code: code, Name: name})
	return f.do("POST", "/api/v1/pair", string(b), cred{}, nil)
}

// A member's code, typed in any case, makes one machine token for that
// member and that machine, once: the second use is refused.
func TestPairCodeMakesOneMachineToken(t *testing.T) {
	w := newAccessWorld(t)
	f := w.f
	code := newPairCode(t, f, cred{fresh: w.memberCookie})
	res := redeem(f, strings.ToLower(code), "box-a")
	if res.status != http.StatusCreated {
		t.Fatalf("redeem = %d %s", res.status, res.body)
	}
	var out struct{ Token, ID, Machine, User string }
	if err := json.Unmarshal([]byte(res.body), &out); err != nil {
		t.Fatal(err)
	}
	tok, err := f.store.GetToken(out.ID)
	if err != nil || tok.User != "mona" || tok.Kind != auth.KindMachine || tok.Machine != "box-a" || !strings.HasPrefix(out.Token, "ct") {
		t.Fatalf("token %+v (%v), reply %+v: want mona's machine token for box-a", tok, err, out)
	}
	if again := redeem(f, code, "box-a"); again.status != http.StatusUnauthorized {
		t.Fatalf("second use of a code = %d %s, want 401", again.status, again.body)
	}
}

// A code makes no more than its owner could: a member granted box-a only
// cannot pair box-b; the refusal leaves the code usable for box-a.
func TestPairCodeKeepsItsOwnersGrants(t *testing.T) {
	w := newAccessWorld(t)
	f := w.f
	code := newPairCode(t, f, cred{fresh: w.memberCookie})
	if res := redeem(f, code, "box-b"); res.status != http.StatusForbidden {
		t.Fatalf("pair a machine mona is not granted = %d %s, want 403", res.status, res.body)
	}
	if res := redeem(f, code, "box-a"); res.status != http.StatusCreated {
		t.Fatalf("then box-a = %d %s, want 201", res.status, res.body)
	}
	if res := f.do("POST", "/pair", "", cred{fresh: w.viewerCookie}, nil); res.status != http.StatusForbidden {
		t.Fatalf("a viewer asking for a code = %d, want 403", res.status)
	}
}

// Guessing is limited per address: after a few wrong codes even the right
// one is refused for a while (429), so a guesser gets no answer at all.
func TestPairCodeGuessesAreLimited(t *testing.T) {
	w := newAccessWorld(t)
	f := w.f
	code := newPairCode(t, f, cred{fresh: w.memberCookie})
	for i := range pairFailsPerAddr {
		if res := redeem(f, "ZZZZ-ZZZ"+string(pairAlphabet[i]), "box-a"); res.status != http.StatusUnauthorized {
			t.Fatalf("wrong code %d = %d, want 401", i, res.status)
		}
	}
	if res := redeem(f, code, "box-a"); res.status != http.StatusTooManyRequests {
		t.Fatalf("right code after %d wrong ones = %d %s, want 429", pairFailsPerAddr, res.status, res.body)
	}
}

// A code lasts pairCodeTTL, and the table of codes is bounded.
func TestPairCodeExpiresAndIsBounded(t *testing.T) {
	p := newPairings()
	now := time.Now()
	code, _, err := p.issue("mona", now)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := p.lookup(code, now.Add(pairCodeTTL+time.Second), false); ok {
		t.Fatal("a code worked after it expired")
	}
	for range maxPairCodes {
		if _, _, err := p.issue("mona", now); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := p.issue("mona", now); err == nil {
		t.Fatalf("issued code %d: the table is not bounded", maxPairCodes+1)
	}
	if _, _, err := p.issue("mona", now.Add(pairCodeTTL+time.Second)); err != nil {
		t.Fatalf("expired codes were not swept: %v", err)
	}
	if normalizePairCode("abcd 2345") != "ABCD2345" || normalizePairCode("ABCD-0123") != "" || normalizePairCode(strings.Repeat("A", 40)) != "" {
		t.Fatal("normalizePairCode accepts or rejects the wrong codes")
	}
}

// /download takes a login or a live pairing code, without using the code
// up; a machine token, no credential or a wrong code get nothing; an
// unknown platform gets a 404 that lists what there is.
func TestDownloadTakesAPairingCode(t *testing.T) {
	w := newAccessWorld(t)
	f := w.f
	self := "/download/" + runtime.GOOS + "/" + runtime.GOARCH
	if res := f.do("GET", self, "", cred{}, nil); res.status != http.StatusUnauthorized {
		t.Fatalf("download without credentials = %d, want 401", res.status)
	}
	machine, _ := f.token("mona", auth.KindMachine, "", "box-a")
	if res := f.do("GET", self, "", cred{bearer: machine}, nil); res.status != http.StatusUnauthorized {
		t.Fatalf("download with a machine token = %d, want 401", res.status)
	}
	code := newPairCode(t, f, cred{fresh: w.memberCookie})
	res := f.do("GET", self+"?code="+code, "", cred{}, nil)
	if res.status != http.StatusOK || res.body != "not really ct\n" || !strings.Contains(res.header.Get("Content-Disposition"), "ct") {
		t.Fatalf("download with a code = %d %q %v", res.status, res.body, res.header)
	}
	other := "/download/windows/arm64"
	if runtime.GOOS == "windows" && runtime.GOARCH == "arm64" {
		other = "/download/linux/amd64"
	}
	res = f.do("GET", other+"?code="+code, "", cred{}, nil)
	if res.status != http.StatusNotFound || !strings.Contains(res.body, runtime.GOOS+"/"+runtime.GOARCH) {
		t.Fatalf("download of a platform the hub lacks = %d %.300s, want 404 listing %s/%s", res.status, res.body, runtime.GOOS, runtime.GOARCH)
	}
	if res := f.do("GET", "/download/..%2f..%2fetc/passwd?code="+code, "", cred{}, nil); res.status != http.StatusNotFound {
		t.Fatalf("a path as the platform = %d, want 404", res.status)
	}
	if res := redeem(f, code, "box-a"); res.status != http.StatusCreated {
		t.Fatalf("the code after downloads = %d %s: a download used it up", res.status, res.body)
	}
	if res := f.do("GET", self+"?code="+code, "", cred{}, nil); res.status != http.StatusUnauthorized {
		t.Fatalf("download with a used code = %d, want 401", res.status)
	}
}
