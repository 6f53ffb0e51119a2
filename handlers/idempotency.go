package handlers

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/ct-dev/ct/db"
)

// IdempotencyHeader names the key a client sends with a change it may
// resend (ct's outbox does): a repeat with the same key gets the first
// answer and changes nothing.
const IdempotencyHeader = "Idempotency-Key"

// replayFor is how long the first answer to a keyed change is kept: longer
// than any outbox waits for a hub to come back in practice.
const replayFor = 24 * time.Hour

// maxIdempotencyKey bounds the header (ct sends 32 hex digits).
const maxIdempotencyKey = 128

// keyLocks serialises requests that carry the same idempotency key, so two
// copies in flight at once cannot both run: the second waits and replays.
// Striped, so unrelated keys rarely wait on each other.
type keyLocks [64]sync.Mutex

func (l *keyLocks) lock(key string) *sync.Mutex {
	return &l[key[0]%byte(len(l))]
}

// idempotent runs a change handler at most once per Idempotency-Key (per
// person, peer, method and path); without the header it just runs h.
func (s *Server) idempotent(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		key := r.Header.Get(IdempotencyHeader)
		if key == "" {
			h(w, r)
			return
		}
		if len(key) > maxIdempotencyKey {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "Idempotency-Key is over 128 characters: send a shorter unique key"})
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxCoordJSON))
		if err != nil {
			writeJSON(w, http.StatusRequestEntityTooLarge, map[string]string{"error": "request body too large or cut off: " + err.Error()})
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		scope := sha256.Sum256([]byte(principal(r).User + "\x00" + r.Header.Get(PeerHeader) + "\x00" + r.Method + " " + r.URL.Path + "\x00" + key))
		id := hex.EncodeToString(scope[:])
		sum := sha256.Sum256(body)
		reqHash := hex.EncodeToString(sum[:])
		mu := s.keyLocks.lock(id)
		mu.Lock()
		defer mu.Unlock()
		if prev, ok, err := s.store.Replayed(id, time.Now().Add(-replayFor)); err != nil {
			s.log.Warn("idempotency lookup", "error", err)
		} else if ok {
			if prev.Request != reqHash {
				writeJSON(w, http.StatusUnprocessableEntity, map[string]string{"error": "this Idempotency-Key was used for a different request: use a new key for a new change"})
				return
			}
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Idempotent-Replayed", "true")
			w.WriteHeader(prev.Status)
			_, _ = w.Write(prev.Body)
			return
		}
		rec := &recordWriter{ResponseWriter: w, status: http.StatusOK}
		h(rec, r)
		if rec.status >= 200 && rec.status < 300 {
			rp := db.Replay{Request: reqHash, Status: rec.status, Body: rec.body.Bytes(), At: time.Now().UTC()}
			if err := s.store.KeepReplay(id, rp, time.Now().Add(-replayFor)); err != nil {
				s.log.Warn("keep idempotency record", "error", err)
			}
		}
	}
}

// recordWriter passes a response through and keeps a copy (JSON answers
// are small: a message or a todo).
type recordWriter struct {
	http.ResponseWriter
	status int
	body   bytes.Buffer
}

func (w *recordWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

func (w *recordWriter) Write(b []byte) (int, error) {
	w.body.Write(b)
	return w.ResponseWriter.Write(b)
}
