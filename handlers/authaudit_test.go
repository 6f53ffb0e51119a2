package handlers

import (
	"encoding/binary"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ct-dev/ct/auth"
	"github.com/ct-dev/ct/db"
	bolt "go.etcd.io/bbolt"
)

// auditedHub runs audited actions through the HTTP surface, closes the
// store and returns its directory and the secrets that went over the wire.
func auditedHub(t *testing.T) (dir string, secrets []string) {
	t.Helper()
	dir = t.TempDir()
	f := newAuthFixture(t, fixtureOpts{dir: dir})
	f.addUser("vera", auth.RoleViewer, "box-a")
	f.session("sess-a", "box-a")
	f.prompt("prm-a", "sess-a", "box-a")
	wrongPw, userPw, newPw := "wrong-secret-password-1", "new-user-password-7", "changed-password-99"
	secrets = []string{testPassword, wrongPw, userPw, newPw}
	expect := func(res result, status int, what string) result {
		t.Helper()
		if res.status != status {
			t.Fatalf("%s = %d, want %d: %.300s", what, res.status, status, res.body)
		}
		return res
	}
	expect(login(f, "admin", wrongPw, nil), 401, "wrong login")                                    // login.fail
	cookie := sessionCookieOf(t, expect(login(f, "admin", testPassword, nil), 303, "login")).Value // login
	admin := cred{cookie: cookie}
	var tok struct{ Token, ID string }
	res := expect(f.do("POST", "/api/v1/tokens", `{"name":"ci","kind":"api"}`, cred{basic: [2]string{"admin", testPassword}}, nil), 201, "token create") // token.create
	if err := json.Unmarshal([]byte(res.body), &tok); err != nil || tok.Token == "" {
		t.Fatalf("token create: %s", res.body)
	}
	res = expect(f.do("POST", "/tokens", form("name", "box-a", "kind", "machine", "machine", "box-a"), admin, nil), 200, "machine token") // token.create
	machineTok := extractToken(res.body, "ctm_")
	if machineTok == "" {
		t.Fatalf("the token page does not show the new machine token: %.500s", res.body)
	}
	kind, machineID, _, ok := auth.ParseToken(machineTok)
	if !ok || kind != auth.KindMachine {
		t.Fatalf("the token page shows %q, not a machine token", machineTok)
	}
	expect(f.do("DELETE", "/api/v1/tokens/"+machineID, "", cred{bearer: tok.Token}, nil), 200, "revoke")                                             // token.revoke
	expect(f.do("POST", "/admin/users", form("name", "nina", "role", "member", "grants", "box-a", "password", userPw), admin, nil), 303, "add user") // user.create
	expect(f.do("POST", "/admin/users/vera", form("role", "member", "grants", "box-a, box-b"), admin, nil), 303, "promote")                          // user.role
	f.do("POST", "/api/v1/prompts/prm-a/decision", `{"decision":"deny","message":"not now"}`, cred{bearer: tok.Token}, nil)                          // prompt.decide (refused: offline)
	res = expect(f.do("POST", "/account/password", form("old", testPassword, "new", newPw), admin, nil), 303, "password change")                     // password.change + login
	cookie2 := sessionCookieOf(t, res).Value
	expect(f.do("POST", "/logout", "", cred{cookie: cookie2}, nil), 303, "logout") // logout
	secrets = append(secrets, tok.Token, machineTok, cookie, cookie2)
	for _, s := range []string{tok.Token, machineTok, cookie, cookie2} {
		_, _, secret, _ := auth.ParseToken(s)
		secrets = append(secrets, secret, auth.Hash(secret))
	}
	f.close() // flushes the audit queue and closes the store, as ct serve does on exit
	return dir, secrets
}

// extractToken finds the first token with prefix in a page.
func extractToken(page, prefix string) string {
	i := strings.Index(page, prefix)
	if i < 0 {
		return ""
	}
	end := i
	for end < len(page) && (page[end] == '_' || page[end] == '-' || page[end] >= '0' && page[end] <= '9' || page[end] >= 'a' && page[end] <= 'z' || page[end] >= 'A' && page[end] <= 'Z') {
		end++
	}
	return page[i:end]
}

// copyStore copies the store file of dir into a new directory.
func copyStore(t *testing.T, dir string) string {
	t.Helper()
	to := t.TempDir()
	in, err := os.Open(filepath.Join(dir, "ct.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.Create(filepath.Join(to, "ct.db"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
	return to
}

// editAudit changes the audit bucket of a stopped store with bbolt directly.
func editAudit(t *testing.T, dir string, fn func(b *bolt.Bucket) error) {
	t.Helper()
	bdb, err := bolt.Open(filepath.Join(dir, "ct.db"), 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer bdb.Close()
	if err := bdb.Update(func(tx *bolt.Tx) error { return fn(tx.Bucket([]byte("audit"))) }); err != nil {
		t.Fatal(err)
	}
}

func seqKey8(n uint64) []byte {
	k := make([]byte, 8)
	binary.BigEndian.PutUint64(k, n)
	return k
}

func verify(t *testing.T, dir string) db.AuditReport {
	t.Helper()
	s, err := db.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	r, err := s.VerifyAudit()
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// The audit log records logins, token and role changes and answers with
// actor and address, never a password or token; it is hash-chained, so
// changing or removing any entry in a copy of the store is found and the
// broken entry named.
func TestAuditChain(t *testing.T) {
	dir, secrets := auditedHub(t)

	var entries []db.AuditEntry
	var raw []string
	editAudit(t, copyStore(t, dir), func(b *bolt.Bucket) error {
		if b == nil {
			t.Fatal("no audit bucket")
		}
		return b.ForEach(func(k, v []byte) error {
			var e db.AuditEntry
			if err := json.Unmarshal(v, &e); err != nil {
				return err
			}
			entries, raw = append(entries, e), append(raw, string(v))
			return nil
		})
	})
	actions := map[string]int{}
	for i, e := range entries {
		actions[e.Action]++
		if e.Seq != uint64(i+1) || e.Actor == "" || e.Addr == "" || e.Time.IsZero() || e.Hash == "" {
			t.Errorf("entry %d incomplete: %+v", i+1, e)
		}
		for _, s := range secrets {
			if s != "" && strings.Contains(raw[i], s) {
				t.Errorf("audit entry %d holds a secret (%.12s...): %s", e.Seq, s, raw[i])
			}
		}
	}
	for _, a := range []string{"login.fail", "login", "token.create", "token.revoke", "user.create", "user.role", "prompt.decide", "password.change", "logout"} {
		if actions[a] == 0 {
			t.Errorf("no %q entry; entries: %v", a, actions)
		}
	}
	n := len(entries)
	if n < 10 {
		t.Fatalf("only %d audit entries", n)
	}

	if r := verify(t, copyStore(t, dir)); r.BrokenAt != 0 || r.Entries != n {
		t.Fatalf("untampered copy: %+v, want %d entries and no break", r, n)
	}

	tamper := []struct {
		name   string
		edit   func(b *bolt.Bucket) error
		broken uint64
		reason string
	}{
		{"change a subject", func(b *bolt.Bucket) error {
			var e map[string]any
			_ = json.Unmarshal(b.Get(seqKey8(4)), &e)
			e["subject"] = "nothing happened"
			v, _ := json.Marshal(e)
			return b.Put(seqKey8(4), v)
		}, 4, "hash"},
		{"change the last actor", func(b *bolt.Bucket) error {
			var e map[string]any
			_ = json.Unmarshal(b.Get(seqKey8(uint64(n))), &e)
			e["actor"] = "someone-else"
			v, _ := json.Marshal(e)
			return b.Put(seqKey8(uint64(n)), v)
		}, uint64(n), "hash"},
		{"remove an entry", func(b *bolt.Bucket) error { return b.Delete(seqKey8(2)) }, 3, "expected entry 2"},
		{"garble an entry", func(b *bolt.Bucket) error { return b.Put(seqKey8(5), []byte(`{"seq":5,`)) }, 5, "JSON"},
	}
	for _, c := range tamper {
		t.Run(c.name, func(t *testing.T) {
			cp := copyStore(t, dir)
			editAudit(t, cp, c.edit)
			r := verify(t, cp)
			if r.BrokenAt != c.broken || !strings.Contains(r.Reason, c.reason) {
				t.Fatalf("verify after %s: %+v, want broken at %d (%s)", c.name, r, c.broken, c.reason)
			}
		})
	}

	// The admin page names the broken entry too.
	cp := copyStore(t, dir)
	editAudit(t, cp, tamper[0].edit)
	g := newAuthFixture(t, fixtureOpts{dir: cp, adminPassword: "unused-password"})
	res := g.do("GET", "/admin/audit?verify=1", "", cred{cookie: g.cookie("admin", time.Hour)}, nil)
	if res.status != http.StatusOK || !strings.Contains(res.body, "Entry 4 is broken") {
		t.Errorf("/admin/audit?verify=1 = %d, want it to name entry 4: %.2000s", res.status, res.body)
	}
}
