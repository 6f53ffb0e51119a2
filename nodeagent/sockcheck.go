package nodeagent

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
)

// The attach socket gives whoever connects a keyboard on every session the
// node runs, so both ends check the other is this user: the directory is
// checked without following symlinks (in a shared /tmp another user could
// plant ct-<uid> as a symlink to a directory they control), the socket
// file must be this user's socket, and each connection's peer credentials
// must be this user's (SO_PEERCRED on Linux; elsewhere the socket file's
// owner stands in).

// checkSocketDir refuses dir unless it is a real directory (not a symlink)
// owned by this user with no access for group or others. fix: tighten a
// too-open mode of a directory we own instead of refusing it.
func checkSocketDir(dir string, fix bool) error {
	fi, err := os.Lstat(dir)
	if err != nil {
		return fmt.Errorf("attach socket directory: %w", err)
	}
	if fi.Mode()&os.ModeSymlink != 0 {
		return fmt.Errorf("attach socket directory %s is a symlink; remove it (someone may be intercepting ct attach) or pass --socket in a directory of your own", dir)
	}
	if !fi.IsDir() {
		return fmt.Errorf("attach socket directory %s is not a directory; remove it or pass --socket", dir)
	}
	if uid, ok := fileUID(fi); ok && uid != os.Getuid() {
		return fmt.Errorf("attach socket directory %s belongs to another user (uid %d); pass --socket in a directory of your own", dir, uid)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		if !fix {
			return fmt.Errorf("attach socket directory %s is open to other users (mode %o); chmod 700 it", dir, fi.Mode().Perm())
		}
		if err := os.Chmod(dir, 0o700); err != nil {
			return err
		}
	}
	return nil
}

// CheckSocket is what ct attach checks before connecting to path: a
// private directory of this user's, and a socket file this user owns.
func CheckSocket(path string) error {
	if err := checkSocketDir(filepath.Dir(path), false); err != nil {
		return err
	}
	fi, err := os.Lstat(path)
	if err != nil {
		return err
	}
	if fi.Mode()&os.ModeSocket == 0 {
		return fmt.Errorf("%s is not a socket (a symlink or a plain file); remove it and restart ct node", path)
	}
	if uid, ok := fileUID(fi); ok && uid != os.Getuid() {
		return fmt.Errorf("the socket %s belongs to another user (uid %d); it is not your ct node", path, uid)
	}
	return nil
}

// CheckPeer refuses a connection whose other end is not this user, where
// the system says (Linux); elsewhere it returns nil and CheckSocket's
// owner check stands in.
func CheckPeer(c net.Conn) error {
	uc, ok := c.(*net.UnixConn)
	if !ok {
		return errors.New("not a unix socket connection")
	}
	uid, known, err := peerUID(uc)
	if err != nil {
		return fmt.Errorf("read the other end's credentials: %w", err)
	}
	if known && uid != os.Getuid() {
		return fmt.Errorf("the other end of the attach socket is uid %d, not you (uid %d)", uid, os.Getuid())
	}
	return nil
}
