package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// ct healthcheck takes --hub like every other workstation command.
func TestHealthcheckTakesHub(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/healthz" {
			_, _ = w.Write([]byte("ok"))
			return
		}
		http.NotFound(w, r)
	}))
	defer srv.Close()
	var out, errb bytes.Buffer
	getenv := func(string) string { return "" }
	if err := runHealthcheck(context.Background(), []string{"--hub", srv.URL}, getenv, &out, &errb); err != nil {
		t.Fatalf("ct healthcheck --hub %s: %v (%s)", srv.URL, err, errb.String())
	}
	if !strings.Contains(out.String(), srv.URL+"/healthz") {
		t.Fatalf("ct healthcheck checked %q, want %s/healthz", out.String(), srv.URL)
	}
}
