package handlers

import (
	"io"
	"net/http"
	"sync"
	"time"
)

// DefaultBodyTimeout bounds how long a request may take to send its body:
// a client that trickles a body a byte at a time must not hold a
// connection (and its handler) forever.
const DefaultBodyTimeout = 30 * time.Second

// bodyTimeout sets a read deadline for the body of every request that has
// one and clears it once the body is read, so a slow body is cut off while
// a handler that then waits (a decision waiting for the workstation) is
// not. Requests without a body (page loads, SSE streams, WebSocket
// upgrades) get none: a read deadline on an open stream would end it.
func bodyTimeout(d time.Duration) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if d > 0 && r.Body != nil && r.Body != http.NoBody && r.ContentLength != 0 {
				rc := http.NewResponseController(w)
				if rc.SetReadDeadline(time.Now().Add(d)) == nil {
					r.Body = &deadlineBody{ReadCloser: r.Body, clear: func() { _ = rc.SetReadDeadline(time.Time{}) }}
				}
			}
			next.ServeHTTP(w, r)
		})
	}
}

// deadlineBody clears the connection's read deadline at the body's end.
type deadlineBody struct {
	io.ReadCloser
	once  sync.Once
	clear func()
}

func (b *deadlineBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err == io.EOF {
		b.once.Do(b.clear)
	}
	return n, err
}

func (b *deadlineBody) Close() error {
	b.once.Do(b.clear)
	return b.ReadCloser.Close()
}
