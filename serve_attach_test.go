package main

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
)

// The composer's limits: flag > env > default, and a value the wire cannot
// carry is refused with the range.
func TestParseServeAttachLimits(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	c, err := parseServe(nil, env(nil), io.Discard, io.Discard)
	if err != nil || c.Attach.Max != 10<<20 || c.Attach.SessionMax != 100<<20 {
		t.Fatalf("defaults: %+v %v", c.Attach, err)
	}
	c, err = parseServe([]string{"--attach-max", "2MiB"}, env(map[string]string{"CT_ATTACH_MAX": "5MiB", "CT_ATTACH_SESSION_MAX": "20MiB"}), io.Discard, io.Discard)
	if err != nil || c.Attach.Max != 2<<20 || c.Attach.SessionMax != 20<<20 {
		t.Fatalf("flag and env: %+v %v", c.Attach, err)
	}
	var stderr bytes.Buffer
	if _, err := parseServe([]string{"--attach-max", "64MiB"}, env(nil), io.Discard, &stderr); !errors.Is(err, errUsage) || !strings.Contains(stderr.String(), "1 byte to 32MiB") {
		t.Fatalf("64MiB: %v %q", err, stderr.String())
	}
}
