package fileshare

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/ct-dev/ct/wire"
)

// tree makes a shared directory src beside an unshared one holding a
// secret, with links from inside src to it (a directory link in the
// middle of a path, a file link at its end), and returns the Share of src.
func tree(t testing.TB) (*Share, string) {
	t.Helper()
	base := t.TempDir()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, d := range []string{"outside", "src/sub"} {
		must(os.MkdirAll(filepath.Join(base, d), 0o755))
	}
	files := map[string]string{"outside/secret.txt": "SECRET", "src/a.txt": "hello", "src/sub/b.txt": "bee"}
	for p, c := range files {
		must(os.WriteFile(filepath.Join(base, p), []byte(c), 0o644))
	}
	must(os.WriteFile(filepath.Join(base, "src/exact.bin"), make([]byte, wire.MaxSharedFile), 0o644))
	must(os.WriteFile(filepath.Join(base, "src/big.bin"), make([]byte, wire.MaxSharedFile+1), 0o644))
	must(os.Symlink(filepath.Join(base, "outside"), filepath.Join(base, "src/link")))
	must(os.Symlink("../../outside/secret.txt", filepath.Join(base, "src/sub/flink")))
	s, err := New([]string{filepath.Join(base, "src")})
	must(err)
	t.Cleanup(s.Close)
	return s, base
}

func reason(err error) string {
	var fe *Error
	if errors.As(err, &fe) {
		return fe.Reason
	}
	return ""
}

func TestReadInsideShare(t *testing.T) {
	s, _ := tree(t)
	for p, want := range map[string]string{"src/a.txt": "hello", "src/sub/b.txt": "bee", "src//sub/./b.txt": "bee"} {
		b, err := s.Read(p)
		if err != nil || string(b) != want {
			t.Errorf("Read(%q) = %q, %v; want %q", p, b, err, want)
		}
	}
	if b, err := s.Read("src/exact.bin"); err != nil || len(b) != wire.MaxSharedFile {
		t.Errorf("a file of exactly the cap: %d bytes, %v", len(b), err)
	}
}

func TestPathRulesRefuse(t *testing.T) {
	s, base := tree(t)
	cases := map[string]string{
		"src/../outside/secret.txt":               wire.ReasonRefused,
		"../outside/secret.txt":                   wire.ReasonRefused,
		"src/sub/../../outside/secret.txt":        wire.ReasonRefused,
		filepath.Join(base, "outside/secret.txt"): wire.ReasonRefused, // absolute
		"/etc/passwd":                             wire.ReasonRefused,
		"src/link/secret.txt":                     wire.ReasonRefused, // a link in the middle
		"src/link":                                wire.ReasonRefused,
		"src/sub/flink":                           wire.ReasonRefused, // a link at the end
		"src\\..\\outside":                        wire.ReasonRefused,
		"src/a.txt\x00":                           wire.ReasonRefused,
		"src/big.bin":                             wire.ReasonTooLarge,
		"src/nope.txt":                            wire.ReasonNotFound,
		"other/a.txt":                             wire.ReasonNotFound,
		"src/a.txt/x":                             wire.ReasonNotFound,
		"src/sub":                                 wire.ReasonNotFound, // a directory is listed, not read
		strings.Repeat("a/", wire.MaxSharePath):   wire.ReasonRefused,
	}
	for p, want := range cases {
		b, err := s.Read(p)
		if err == nil || reason(err) != want {
			t.Errorf("Read(%q) = %d bytes, %v (%s); want refused as %s", p, len(b), err, reason(err), want)
		}
		if strings.Contains(string(b), "SECRET") {
			t.Errorf("Read(%q) leaked the secret", p)
		}
	}
	if _, err := s.Read("src/big.bin"); err == nil || !strings.Contains(err.Error(), "the limit is 1048576") {
		t.Errorf("too large: %v; want the limit named", err)
	}
	if _, err := s.Read("src/link/secret.txt"); err == nil || !strings.Contains(err.Error(), "src/link is a symbolic link") {
		t.Errorf("a link in the middle: %v; want it named", err)
	}
	if _, err := s.List("src/link"); reason(err) != wire.ReasonRefused {
		t.Errorf("List through a link: %v", err)
	}
}

func TestList(t *testing.T) {
	s, _ := tree(t)
	top, err := s.List("")
	if err != nil || len(top.Entries) != 1 || top.Entries[0].Name != "src" || top.Entries[0].Type != "dir" {
		t.Fatalf("List(\"\") = %+v, %v", top, err)
	}
	l, err := s.List("src")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range l.Entries {
		got = append(got, e.Name+":"+e.Type)
	}
	want := "sub:dir a.txt:file big.bin:file exact.bin:file link:symlink"
	if strings.Join(got, " ") != want {
		t.Fatalf("List(src) = %v; want %s", got, want)
	}
	if l.Entries[1].Size != 5 {
		t.Errorf("a.txt's size = %d", l.Entries[1].Size)
	}
}

func TestListCapped(t *testing.T) {
	dir := t.TempDir()
	for i := range wire.MaxListing + 5 {
		if err := os.WriteFile(filepath.Join(dir, "f"+strconv.Itoa(i)), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	s, err := New([]string{dir})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	l, err := s.List(s.Names()[0])
	if err != nil || len(l.Entries) != wire.MaxListing || !l.Truncated {
		t.Fatalf("a directory over the cap: %d entries, truncated %v, %v", len(l.Entries), l.Truncated, err)
	}
}

func TestNewNamesAndRefusals(t *testing.T) {
	a := filepath.Join(t.TempDir(), "src")
	b := filepath.Join(t.TempDir(), "src")
	for _, d := range []string{a, b} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	s, err := New([]string{a, b})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got := strings.Join(s.Names(), ","); got != "src,src-2" {
		t.Fatalf("names = %s", got)
	}
	if _, err := New([]string{filepath.Join(a, "missing")}); err == nil || !strings.Contains(err.Error(), "name an existing directory") {
		t.Fatalf("a missing directory: %v", err)
	}
	f := filepath.Join(a, "file")
	_ = os.WriteFile(f, nil, 0o644)
	if _, err := New([]string{f}); err == nil || !strings.Contains(err.Error(), "not a directory") {
		t.Fatalf("a file: %v", err)
	}
}

func TestAnswerNoShares(t *testing.T) {
	var s *Share
	req, _ := wire.New(wire.TypeFilesGet, wire.FilesRequest{Request: "r1", Path: "src/a.txt"})
	reply, ok := s.Answer(req)
	var got wire.FilesGot
	if !ok || reply.Type != wire.TypeFilesGot || reply.Decode(&got) != nil || got.Request != "r1" || got.Reason != wire.ReasonNoShares {
		t.Fatalf("answer without shares = %+v %+v", reply, got)
	}
}

// FuzzResolve: whatever the path, a resolved target is inside its root
// and no component of it is a symbolic link; the secret outside is never
// read.
func FuzzResolve(f *testing.F) {
	for _, p := range []string{"src/a.txt", "src/../outside/secret.txt", "src/link/secret.txt", "/etc/passwd", "src/sub/flink", "src/./sub//b.txt", "..", "src/..", "src/sub/.."} {
		f.Add(p)
	}
	s, _ := tree(f)
	f.Fuzz(func(t *testing.T, p string) {
		tg, err := s.resolve(p)
		if b, rerr := s.Read(p); rerr == nil && strings.Contains(string(b), "SECRET") {
			t.Fatalf("Read(%q) read the secret outside the share", p)
		}
		if err != nil {
			return
		}
		full := filepath.Join(tg.root.dir, filepath.FromSlash(tg.rel))
		if full != tg.root.dir && !strings.HasPrefix(full, tg.root.dir+string(filepath.Separator)) {
			t.Fatalf("resolve(%q) = %s, outside %s", p, full, tg.root.dir)
		}
		for cur := full; cur != tg.root.dir; cur = filepath.Dir(cur) {
			if fi, err := os.Lstat(cur); err == nil && fi.Mode()&os.ModeSymlink != 0 {
				t.Fatalf("resolve(%q) passes through link %s", p, cur)
			}
		}
	})
}
