package fileshare

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/ct-dev/ct/wire"
)

// List lists directory p (slash separated, under a root; "" lists the
// roots): at most wire.MaxListing entries, directories first, then by
// name. Symbolic links are listed as such and never followed.
func (s *Share) List(p string) (wire.FilesListed, error) {
	out := wire.FilesListed{Path: p, Entries: []wire.FileEntry{}}
	if isTop(p) {
		for _, r := range s.roots {
			out.Entries = append(out.Entries, wire.FileEntry{Name: r.name, Type: "dir"})
		}
		return out, nil
	}
	t, err := s.resolve(p)
	if err != nil {
		return out, err
	}
	if !t.info.IsDir() {
		return out, &Error{Reason: wire.ReasonNotFound, Msg: fmt.Sprintf("%s is a file, not a directory; read it with get_peer_file", p)}
	}
	f, err := t.root.fs.Open(relOrDot(t.rel))
	if err != nil {
		return out, failed(err)
	}
	defer f.Close()
	if err := same(f, t.info); err != nil {
		return out, err
	}
	// One more than the cap, to know whether there were more; never the
	// whole of a huge directory.
	des, err := f.ReadDir(wire.MaxListing + 1)
	if err != nil && !errors.Is(err, io.EOF) {
		return out, failed(err)
	}
	if len(des) > wire.MaxListing {
		des, out.Truncated = des[:wire.MaxListing], true
	}
	for _, de := range des {
		e := wire.FileEntry{Name: de.Name(), Type: "other"}
		switch m := de.Type(); {
		case m&os.ModeSymlink != 0:
			e.Type = "symlink"
		case m.IsDir():
			e.Type = "dir"
		case m.IsRegular():
			e.Type = "file"
			if fi, err := de.Info(); err == nil {
				e.Size = fi.Size()
			}
		}
		out.Entries = append(out.Entries, e)
	}
	sortEntries(out.Entries)
	return out, nil
}

// Read reads regular file p whole; a file over wire.MaxSharedFile is
// refused, never cut.
func (s *Share) Read(p string) ([]byte, error) {
	t, err := s.resolve(p)
	if err != nil {
		return nil, err
	}
	if t.info.IsDir() {
		return nil, &Error{Reason: wire.ReasonNotFound, Msg: fmt.Sprintf("%s is a directory; list it with list_peer_files", p)}
	}
	if !t.info.Mode().IsRegular() {
		return nil, refused("%s is not a regular file (a device, socket or pipe); only files are shared", p)
	}
	if n := t.info.Size(); n > wire.MaxSharedFile {
		return nil, tooLarge(p, n)
	}
	f, err := t.root.fs.Open(t.rel)
	if err != nil {
		return nil, failed(err)
	}
	defer f.Close()
	if err := same(f, t.info); err != nil {
		return nil, err
	}
	// One byte over the cap tells a file that grew since the Lstat.
	b, err := io.ReadAll(io.LimitReader(f, wire.MaxSharedFile+1))
	if err != nil {
		return nil, failed(err)
	}
	if len(b) > wire.MaxSharedFile {
		return nil, tooLarge(p, int64(len(b)))
	}
	return b, nil
}

// same refuses f when it is not the file that was checked: a component
// was swapped (for a link, say) between the check and the open.
func same(f *os.File, checked os.FileInfo) error {
	fi, err := f.Stat()
	if err != nil {
		return failed(err)
	}
	if !os.SameFile(fi, checked) {
		return refused("the file changed while being read (replaced by a link?); ask again")
	}
	return nil
}

func tooLarge(p string, n int64) error {
	return &Error{Reason: wire.ReasonTooLarge, Msg: fmt.Sprintf("%s is %d bytes; the limit is %d (1 MiB): read a smaller file", p, n, wire.MaxSharedFile)}
}

func failed(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return &Error{Reason: wire.ReasonFailed, Msg: "the workstation cannot read it: " + err.Error()}
}

// isTop reports whether p names the list of roots.
func isTop(p string) bool { return p == "" || p == "." || p == "/" }

func relOrDot(rel string) string {
	if rel == "" {
		return "."
	}
	return rel
}
