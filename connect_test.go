package main

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
)

// ct connect refuses to start without its own API token, or with a
// machine token (which would fall back to the person's ct login token),
// and says which setting fixes it.
func TestConnectNeedsItsOwnAPIToken(t *testing.T) {
	machine := "ctm_0123456789abcdef_" + strings.Repeat("s", 43)
	for _, tok := range []string{"", machine} {
		env := map[string]string{"CT_TELEGRAM_TOKEN": "1:x", "CT_TELEGRAM_CHAT": "-5", "CT_HUB": "http://127.0.0.1:1", "CT_TOKEN": tok, "HOME": t.TempDir()}
		var out, errb bytes.Buffer
		err := run(context.Background(), []string{"connect", "telegram"}, func(k string) string { return env[k] }, nil, &out, &errb)
		if err == nil || !strings.Contains(err.Error(), "own API token") || !strings.Contains(err.Error(), "CT_API_TOKEN") {
			t.Fatalf("token %q: err = %v", tok, err)
		}
	}
	var out bytes.Buffer
	if err := run(context.Background(), []string{"connect", "--help"}, func(string) string { return "" }, nil, &out, &out); err != nil || !strings.Contains(out.String(), "ct connect slack") {
		t.Fatalf("help: %v %s", err, out.String())
	}
	if err := run(context.Background(), []string{"connect", "irc"}, func(string) string { return "" }, nil, &out, &out); !errors.Is(err, errUsage) {
		t.Fatalf("unknown service: %v", err)
	}
}
