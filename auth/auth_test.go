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

func TestLimiter(t *testing.T) {
	l := NewLimiter(3, time.Minute)
	now := time.Now()
	for range 3 {
		if l.Wait("k", now) != 0 {
			t.Fatal("limited too early")
		}
		l.Fail("k", now)
	}
	if l.Wait("k", now) <= 0 {
		t.Fatal("not limited after 3 failures")
	}
	if l.Wait("k", now.Add(61*time.Second)) != 0 {
		t.Fatal("still limited after the window")
	}
	l.Fail("k", now)
	l.Reset("k")
	if l.Wait("k", now) != 0 {
		t.Fatal("Reset did not clear")
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
