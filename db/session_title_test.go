package db

import (
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Sessions get short numbers from a counter in the file: in order, kept
// across a reconnect's upsert and a reopen, and never given twice, even
// after the numbered session is deleted.
func TestSessionNumbersNeverReused(t *testing.T) {
	dir := t.TempDir()
	s := openStore(t, dir)
	for i, id := range []string{"a", "b"} {
		ss, err := s.UpsertSession(Session{ID: id, Node: "n", Command: "bash", StartedAt: t0, Status: StatusLive})
		if err != nil || ss.Number != uint64(i+1) {
			t.Fatalf("session %s: number %d, %v; want %d", id, ss.Number, err, i+1)
		}
	}
	again, _ := s.UpsertSession(Session{ID: "a", Node: "n", Command: "bash", StartedAt: t0, Status: StatusLive})
	if again.Number != 1 {
		t.Fatalf("a reconnect renumbered session a: %d", again.Number)
	}
	if err := s.bolt.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketSessions).Delete([]byte("b")) }); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s = openStore(t, dir)
	c, _ := s.UpsertSession(Session{ID: "c", Node: "n", Command: "bash", StartedAt: t0, Status: StatusLive})
	if c.Number != 3 {
		t.Fatalf("after deleting #2 and reopening, the next session got #%d; want #3 (never reused)", c.Number)
	}
}

// Sessions stored before numbers existed are numbered once at open, oldest
// first, and new ones continue after them.
func TestOldSessionsNumberedAtOpen(t *testing.T) {
	dir := t.TempDir()
	s := openStore(t, dir)
	err := s.bolt.Update(func(tx *bolt.Tx) error {
		if err := tx.Bucket(bucketMeta).Delete(keyNumbered); err != nil {
			return err
		}
		for i, id := range []string{"newer", "older"} {
			if err := putSession(tx, Session{ID: id, Command: "sh", StartedAt: t0.Add(-time.Duration(i) * time.Hour)}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	s = openStore(t, dir)
	older, _ := s.GetSession("older")
	newer, _ := s.GetSession("newer")
	fresh, _ := s.UpsertSession(Session{ID: "fresh", Command: "sh", StartedAt: t0})
	if older.Number != 1 || newer.Number != 2 || fresh.Number != 3 {
		t.Fatalf("numbers older=%d newer=%d fresh=%d; want 1, 2, 3", older.Number, newer.Number, fresh.Number)
	}
}

// A title comes from ct wrap --title at the start, else the first prompt;
// a person's title is never replaced by either, and clearing it names the
// session by its command again.
func TestSessionTitleSources(t *testing.T) {
	s := openStore(t, t.TempDir())
	ss, _ := s.UpsertSession(Session{ID: "w", Command: "bash", StartedAt: t0, Title: "  deploy\tstaging \n second line"})
	if ss.Title != "deploy staging" || ss.TitleBy != TitleByWrap || ss.Label() != "#1 deploy staging" {
		t.Fatalf("wrap title = %q by %q (label %q)", ss.Title, ss.TitleBy, ss.Label())
	}
	if set, _ := s.AutoTitle("w", "from the prompt", TitleByPrompt); set {
		t.Fatal("the first prompt replaced ct wrap --title")
	}
	s.UpsertSession(Session{ID: "c", Command: "claude", Args: []string{"--model", "x"}, StartedAt: t0})
	if c, _ := s.GetSession("c"); c.Name() != "claude --model x" {
		t.Fatalf("untitled session is named %q; want its command line", c.Name())
	}
	if set, _ := s.AutoTitle("c", CleanTitle("\n\nfix the flaky login test\nthen push"), TitleByPrompt); !set {
		t.Fatal("the first prompt did not title an untitled session")
	}
	if set, _ := s.AutoTitle("c", "a second prompt", TitleByPrompt); set {
		t.Fatal("a later prompt retitled the session")
	}
	if c, _ := s.SetSessionTitle("c", "login flake", "ann"); c.Title != "login flake" || c.TitleBy != "ann" {
		t.Fatalf("person's title = %q by %q", c.Title, c.TitleBy)
	}
	s.UpsertSession(Session{ID: "c", Command: "claude", StartedAt: t0, Title: "wrap again"})
	if c, _ := s.GetSession("c"); c.Title != "login flake" {
		t.Fatalf("a reconnect replaced the person's title: %q", c.Title)
	}
	if c, _ := s.SetSessionTitle("c", "", "ann"); c.Name() != "claude" || c.TitleBy != "" {
		t.Fatalf("cleared title: name %q by %q", c.Name(), c.TitleBy)
	}
}

func TestCleanTitle(t *testing.T) {
	long := strings.Repeat("é", 150)
	for in, want := range map[string]string{
		"":                        "",
		" \n\t\n":                 "",
		"\x1b[31mred\x1b[0m":      "[31mred [0m",
		"a\u0007b":                "a b",
		long:                      strings.Repeat("é", MaxTitle-1) + "…",
		"first\r\nsecond":         "first",
		"  many    spaces  here ": "many spaces here",
	} {
		if got := CleanTitle(in); got != want {
			t.Errorf("CleanTitle(%q) = %q; want %q", in, got, want)
		}
	}
}
