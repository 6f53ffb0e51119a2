package handlers

import (
	"fmt"
	"net/http"
	"time"
)

// handleHealth answers 200 "ok" while the hub can write its store, and 503
// with the reason while it cannot (a full disk): a hub that stores nothing
// is not healthy, however well it answers.
func (s *Server) handleHealth(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if h := s.hub.StoreHealth(); h.Err != nil {
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprintf(w, "store writes failing since %s: %v\nfree disk space where the store lives (%s); the hub retries by itself\n",
			h.Since.UTC().Format(time.RFC3339), h.Err, s.store.Path())
		return
	}
	if low, free := s.hub.DiskLow(); low {
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprintf(w, "the store's disk has %d MiB free, below ct serve's --min-free-disk: sessions' output is kept only as its size; free disk space where the store lives (%s)\n", free>>20, s.store.Path())
		return
	}
	_, _ = w.Write([]byte("ok\n"))
}
