package nodeagent

import (
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A planted socket directory: in a shared /tmp another user creates
// ct-<uid> as a symlink to a directory they control. The node refuses to
// listen there and ct attach refuses to connect; a non-socket or a
// too-open directory is refused too; a connection from this user passes
// the peer-credential check.
func TestAttachSocketDirectoryPlanted(t *testing.T) {
	base := t.TempDir()
	theirs := filepath.Join(base, "theirs")
	if err := os.Mkdir(theirs, 0o700); err != nil {
		t.Fatal(err)
	}
	planted := filepath.Join(base, "ct-planted")
	if err := os.Symlink(theirs, planted); err != nil {
		t.Fatal(err)
	}
	if ln, err := listenAttach(filepath.Join(planted, "node.sock")); err == nil || !strings.Contains(err.Error(), "symlink") {
		if ln != nil {
			ln.Close()
		}
		t.Fatalf("listen in a symlinked directory: %v, want refused", err)
	}
	real := filepath.Join(base, "ct-real")
	sock := filepath.Join(real, "node.sock")
	ln, err := listenAttach(sock)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan error, 1)
	go func() {
		c, err := ln.Accept()
		if err == nil {
			err = CheckPeer(c)
			c.Close()
		}
		accepted <- err
	}()
	if err := CheckSocket(sock); err != nil {
		t.Fatalf("the node's own socket: %v", err)
	}
	c, err := net.Dial("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	if err := CheckPeer(c); err != nil {
		t.Errorf("client side peer check: %v", err)
	}
	c.Close()
	if err := <-accepted; err != nil {
		t.Errorf("node side peer check: %v", err)
	}
	if err := CheckSocket(filepath.Join(planted, "node.sock")); err == nil {
		t.Error("ct attach would connect through a symlinked directory")
	}
	plain := filepath.Join(real, "plain")
	if err := os.WriteFile(plain, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := CheckSocket(plain); err == nil || !strings.Contains(err.Error(), "not a socket") {
		t.Errorf("a plain file: %v", err)
	}
	if err := os.Chmod(real, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := CheckSocket(sock); err == nil || !strings.Contains(err.Error(), "open to other users") {
		t.Errorf("a 0755 directory: %v", err)
	}
	if os.Getuid() == 0 { // only root can hand a directory to someone else
		if err := os.Chown(real, 4242, 4242); err != nil {
			t.Fatal(err)
		}
		os.Chmod(real, 0o700)
		if err := CheckSocket(sock); err == nil || !strings.Contains(err.Error(), "another user") {
			t.Errorf("another user's directory: %v", err)
		}
	}
}
