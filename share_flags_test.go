package main

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"time"
)

// --share-approve-wait: flag > env > default, and a wait longer than the
// API client holds a read (5m) is refused with the range.
func TestParseServeShareApproveWait(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	if c, err := parseServe(nil, env(nil), io.Discard, io.Discard); err != nil || c.ShareApproveWait != 2*time.Minute {
		t.Fatalf("default: %v %v", c.ShareApproveWait, err)
	}
	c, err := parseServe(nil, env(map[string]string{"CT_SHARE_APPROVE_WAIT": "30s"}), io.Discard, io.Discard)
	if err != nil || c.ShareApproveWait != 30*time.Second {
		t.Fatalf("env: %v %v", c.ShareApproveWait, err)
	}
	var stderr bytes.Buffer
	if _, err := parseServe([]string{"--share-approve-wait", "10m"}, env(nil), io.Discard, &stderr); !errors.Is(err, errUsage) || !strings.Contains(stderr.String(), "1s to 5m") {
		t.Fatalf("10m: %v %q", err, stderr.String())
	}
}

// --share-approve without --share-dir is a usage error that says so; with
// one, the share asks for approval (declared in session.start).
func TestShareApproveNeedsShareDir(t *testing.T) {
	var stderr bytes.Buffer
	if _, _, err := openShares("wrap", nil, true, &stderr); !errors.Is(err, errUsage) || !strings.Contains(stderr.String(), "--share-dir") {
		t.Fatalf("approve without a dir: %v %q", err, stderr.String())
	}
	files, closeFiles, err := openShares("wrap", []string{t.TempDir()}, true, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	defer closeFiles()
	if a, ok := files.(interface{ NeedsApproval() bool }); !ok || !a.NeedsApproval() {
		t.Fatalf("the share does not ask for approval")
	}
}
