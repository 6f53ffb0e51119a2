// Package fileshare owns the workstation side of shared files (ct wrap
// --share-dir): the directories a peer opts in, the path rules that keep a
// request inside them, and the reads that answer the hub's files.list and
// files.get. Every path is cleaned, checked to stay under its root, and
// every component Lstat-ed so no symbolic link is ever followed; the open
// itself goes through an os.Root, so a link swapped in after the check
// still cannot leave the share. It must not import the hub side.
package fileshare

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/ct-dev/ct/wire"
)

// Share is the set of directories one wrap shares, by root name.
type Share struct {
	roots []root
	// Approve: each read by another peer waits for its person's approval
	// (ct wrap --share-approve); the hub enforces it, told at session.start.
	Approve bool
}

// NeedsApproval reports whether reads wait for the person's approval.
func (s *Share) NeedsApproval() bool { return s != nil && s.Approve }

// root is one shared directory.
type root struct {
	name string   // the first element of a request's path
	dir  string   // absolute, its own symbolic links resolved at opt-in
	fs   *os.Root // opens beneath dir only, whatever changes on disk
}

// Error is a refused request: the message says what to do, Reason is one
// of wire's Reason* values.
type Error struct {
	Reason string
	Msg    string
}

func (e *Error) Error() string { return e.Msg }

func refused(format string, a ...any) error {
	return &Error{Reason: wire.ReasonRefused, Msg: fmt.Sprintf(format, a...)}
}

// rootName is what a root may be called: its directory's base name,
// made safe.
var rootName = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`[^A-Za-z0-9._-]+`) })

// New opens the directories to share. Each must exist and be a directory;
// a directory given through a symbolic link is shared as its target (the
// person chose it), but no link below it is ever followed. Roots are
// named after their base names, made unique with -2, -3, ….
func New(dirs []string) (*Share, error) {
	if len(dirs) > wire.MaxShares {
		return nil, fmt.Errorf("%d shared directories; the limit is %d: share a common parent instead", len(dirs), wire.MaxShares)
	}
	s := &Share{}
	seen := map[string]bool{}
	for _, d := range dirs {
		abs, err := filepath.Abs(d)
		if err == nil {
			abs, err = filepath.EvalSymlinks(abs)
		}
		if err != nil {
			s.Close()
			return nil, fmt.Errorf("--share-dir %s: %v; name an existing directory", d, err)
		}
		if fi, err := os.Stat(abs); err != nil || !fi.IsDir() {
			s.Close()
			return nil, fmt.Errorf("--share-dir %s is not a directory; name a directory to share", d)
		}
		fs, err := os.OpenRoot(abs)
		if err != nil {
			s.Close()
			return nil, fmt.Errorf("--share-dir %s: %v", d, err)
		}
		name := strings.Trim(rootName().ReplaceAllString(filepath.Base(abs), "_"), ".")
		if name == "" {
			name = "root"
		}
		for i, base := 2, name; seen[name]; i++ {
			name = base + "-" + strconv.Itoa(i)
		}
		seen[name] = true
		s.roots = append(s.roots, root{name: name, dir: abs, fs: fs})
	}
	return s, nil
}

// Names are the roots' names, in the order shared.
func (s *Share) Names() []string {
	out := make([]string, 0, len(s.roots))
	for _, r := range s.roots {
		out = append(out, r.name)
	}
	return out
}

// Close releases the roots.
func (s *Share) Close() {
	for _, r := range s.roots {
		_ = r.fs.Close()
	}
}

// target is a checked path: its root, the path below it (slash form, ""
// for the root itself) and what Lstat said of its last component.
type target struct {
	root *root
	rel  string
	info os.FileInfo
}

// resolve applies the path rules to p: relative, slash separated, no ..
// element, no backslash or NUL, its first element a root's name, and
// none of its components a symbolic link (each is Lstat-ed). The result
// is always inside that root (checked again after joining).
func (s *Share) resolve(p string) (target, error) {
	if len(p) > wire.MaxSharePath {
		return target{}, refused("the path is %d bytes; the limit is %d", len(p), wire.MaxSharePath)
	}
	if strings.ContainsAny(p, "\\\x00") {
		return target{}, refused("%q: paths are slash separated and may not hold a backslash or NUL", p)
	}
	if strings.HasPrefix(p, "/") || filepath.IsAbs(p) || filepath.VolumeName(p) != "" {
		return target{}, refused("%q is absolute; name a path under a shared root, e.g. %s/README.md", p, s.example())
	}
	var elems []string
	for _, e := range strings.Split(p, "/") {
		switch e {
		case "..":
			return target{}, refused("%q climbs out with ..; name a path under a shared root", p)
		case "", ".":
			continue
		}
		elems = append(elems, e)
	}
	if len(elems) == 0 {
		return target{}, refused("name a shared root first (one of: %s)", strings.Join(s.Names(), ", "))
	}
	r := s.root(elems[0])
	if r == nil {
		return target{}, &Error{Reason: wire.ReasonNotFound, Msg: fmt.Sprintf("no shared root %q; this peer shares: %s", elems[0], strings.Join(s.Names(), ", "))}
	}
	rel := strings.Join(elems[1:], "/")
	full := filepath.Join(r.dir, filepath.FromSlash(rel))
	if back, err := filepath.Rel(r.dir, full); err != nil || back == ".." || strings.HasPrefix(back, ".."+string(filepath.Separator)) {
		return target{}, refused("%q is outside the shared directories", p)
	}
	info, err := lstatEach(r.dir, elems)
	if err != nil {
		return target{}, err
	}
	return target{root: r, rel: rel, info: info}, nil
}

// lstatEach Lstats every component below root directory dir in turn
// (elems[0] is the root's name, the rest the path below it): a symbolic
// link anywhere is refused, and every component but the last must be a
// directory. It returns the last one's info (dir's when there is none).
func lstatEach(dir string, elems []string) (os.FileInfo, error) {
	cur := dir
	info, err := os.Lstat(cur)
	for i := 1; i < len(elems); i++ {
		e := elems[i]
		if err != nil {
			break
		}
		if i > 1 && !info.IsDir() {
			return nil, &Error{Reason: wire.ReasonNotFound, Msg: fmt.Sprintf("%s is not a directory", strings.Join(elems[:i], "/"))}
		}
		cur = filepath.Join(cur, e)
		info, err = os.Lstat(cur)
		if err == nil && info.Mode()&os.ModeSymlink != 0 {
			return nil, refused("%s is a symbolic link; shared files never follow links (share its target instead)", strings.Join(elems[:i+1], "/"))
		}
	}
	if errors.Is(err, os.ErrNotExist) {
		return nil, &Error{Reason: wire.ReasonNotFound, Msg: fmt.Sprintf("%s does not exist", strings.Join(elems, "/"))}
	}
	if err != nil {
		return nil, failed(err)
	}
	return info, nil
}

func (s *Share) root(name string) *root {
	for i := range s.roots {
		if s.roots[i].name == name {
			return &s.roots[i]
		}
	}
	return nil
}

func (s *Share) example() string {
	if len(s.roots) == 0 {
		return "src"
	}
	return s.roots[0].name
}

// sortEntries orders a listing: directories first, then by name.
func sortEntries(es []wire.FileEntry) {
	sort.Slice(es, func(i, j int) bool {
		if (es[i].Type == "dir") != (es[j].Type == "dir") {
			return es[i].Type == "dir"
		}
		return es[i].Name < es[j].Name
	})
}
