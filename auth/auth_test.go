package auth

import (
	"strings"
	"testing"
	"time"
)

func TestTokenRoundTrip(t *testing.T) {
	for _, kind := range []string{KindMachine, KindAPI, KindSession, KindSetup} {
		for range 200 { // secrets are random base64url: some contain "_" and "-"
			plain, id, hash := NewToken(kind)
			k, gotID, secret, ok := ParseToken(plain)
			if !ok || k != kind || gotID != id || Hash(secret) != hash {
				t.Fatalf("%s: parse(%q) = %q %q ok=%v", kind, plain, k, gotID, ok)
			}
		}
	}
	for _, bad := range []string{"", "ctm_", "ctm_abc_def", "xyz_0123456789abcdef_" + strings.Repeat("a", 43), "ctm_0123456789abcdef"} {
		if _, _, _, ok := ParseToken(bad); ok {
			t.Errorf("ParseToken(%q) accepted", bad)
		}
	}
}

func TestPassword(t *testing.T) {
	h, err := HashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$") || strings.Contains(h, "correct") {
		t.Fatalf("hash %q", h)
	}
	if !CheckPassword(h, "correct horse battery") || CheckPassword(h, "correct horse batterz") || CheckPassword("garbage", "x") {
		t.Fatal("CheckPassword wrong")
	}
	if _, err := HashPassword("short"); err == nil {
		t.Fatal("short password accepted")
	}
}

func TestRoles(t *testing.T) {
	viewer := Principal{Role: RoleViewer, Grants: []string{"a"}, Kind: KindSession}
	member := Principal{Role: RoleMember, Grants: []string{"a"}, Kind: KindSession}
	all := Principal{Role: RoleMember, Grants: []string{AllMachines}, Kind: KindAPI}
	admin := Principal{Role: RoleAdmin, Kind: KindSession}
	machine := Principal{Role: RoleAdmin, Grants: []string{AllMachines}, Kind: KindMachine}
	cases := []struct {
		p          Principal
		m          string
		see, drive bool
	}{
		{viewer, "a", true, false}, {viewer, "b", false, false},
		{member, "a", true, true}, {member, "b", false, false},
		{all, "z", true, true}, {admin, "z", true, true}, {machine, "a", false, false},
	}
	for _, c := range cases {
		if c.p.CanSee(c.m) != c.see || c.p.CanDrive(c.m) != c.drive {
			t.Errorf("%+v on %s: see %v drive %v", c.p, c.m, c.p.CanSee(c.m), c.p.CanDrive(c.m))
		}
	}
}

// An agent's credential sees what its owner sees and never drives by
// itself; OwnerCanDrive (send_input with the wheel, start_session) follows
// the owner's role and grants.
func TestAgentCredentialRights(t *testing.T) {
	ofMember := Principal{Role: RoleMember, Grants: []string{"a"}, Kind: KindAgent}
	ofViewer := Principal{Role: RoleViewer, Grants: []string{"a"}, Kind: KindAgent}
	ofAdmin := Principal{Role: RoleAdmin, Kind: KindAgent}
	machine := Principal{Role: RoleAdmin, Kind: KindMachine}
	for _, c := range []struct {
		p                 Principal
		m                 string
		see, owner, drive bool
	}{
		{ofMember, "a", true, true, false}, {ofMember, "b", false, false, false},
		{ofViewer, "a", true, false, false}, {ofAdmin, "z", true, true, false}, {machine, "a", false, false, false},
	} {
		if c.p.CanSee(c.m) != c.see || c.p.OwnerCanDrive(c.m) != c.owner || c.p.CanDrive(c.m) != c.drive {
			t.Errorf("%+v on %s: see %v owner-drives %v drive %v", c.p, c.m, c.p.CanSee(c.m), c.p.OwnerCanDrive(c.m), c.p.CanDrive(c.m))
		}
	}
}

func TestLimiter(t *testing.T) {
	l := NewLimiter(3, time.Second, 8*time.Second, time.Minute)
	now := time.Now()
	for range 3 { // free tries
		if w := l.Begin("k", now); w != 0 {
			t.Fatalf("limited too early: %v", w)
		}
		l.Done("k", now, false)
	}
	// Past the free tries each further one waits, doubling up to the max.
	for i, want := range []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 8 * time.Second} {
		if w := l.Begin("k", now.Add(want-time.Millisecond)); w <= 0 {
			t.Fatalf("failure %d: not limited %v after the last one", 4+i, want-time.Millisecond)
		}
		now = now.Add(want)
		if w := l.Begin("k", now); w != 0 {
			t.Fatalf("failure %d: still limited %v after the last one (%v)", 4+i, want, w)
		}
		l.Done("k", now, false)
	}
	if l.Begin("other", now) != 0 {
		t.Fatal("keys are not independent")
	}
	l.Release("other")
	// Forgotten a window after the last failure.
	if w := l.Begin("k", now.Add(61*time.Second)); w != 0 {
		t.Fatalf("still limited after the window: %v", w)
	}
	l.Done("k", now.Add(61*time.Second), true)
}

// Tries are counted when they begin: parallel guesses cannot all pass the
// check before their failures are recorded.
func TestLimiterCountsTriesInFlight(t *testing.T) {
	l := NewLimiter(5, time.Second, time.Minute, time.Minute)
	now := time.Now()
	began := 0
	for range 60 {
		if l.Begin("admin", now) == 0 {
			began++
		}
	}
	if began != 5 {
		t.Fatalf("%d of 60 parallel tries began, want the 5 free ones", began)
	}
	for range 5 {
		l.Done("admin", now, false)
	}
	if l.Begin("admin", now) == 0 {
		t.Fatal("a 6th try began at once after 5 failures")
	}
	// Success forgets; Release neither counts nor forgets.
	l.Begin("bob", now)
	l.Done("bob", now, false)
	l.Begin("bob", now)
	l.Release("bob")
	if l.keys["bob"].fails != 1 || l.keys["bob"].inflight != 0 {
		t.Fatalf("bob after Release: %+v", *l.keys["bob"])
	}
}

func BenchmarkHashPassword(b *testing.B) {
	for b.Loop() {
		_, _ = HashPassword("correct horse battery")
	}
}

// BenchmarkCheckPassword is the password part of every login (and of
// ct token create's HTTP Basic): see BENCHMARKS.md for the target.
func BenchmarkCheckPassword(b *testing.B) {
	h, err := HashPassword("correct horse battery")
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if !CheckPassword(h, "correct horse battery") {
			b.Fatal("no match")
		}
	}
}
