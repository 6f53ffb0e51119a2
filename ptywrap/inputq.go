package ptywrap

import "sync"

// maxQueuedInput bounds the hub input waiting for a program that is not
// reading it (a PTY's input buffer holds ~4 KiB): 1 MiB is many pastes at
// the hub's own 64 KiB per request, and input past it is refused rather
// than buffered without limit.
const maxQueuedInput = 1 << 20

// inputQueue is hub input on its way to the program, in order. The network
// goroutine pushes without blocking (a program that does not read must not
// stall acks), and every push is kept up to maxQueuedInput bytes: a paste of
// many small inputs arriving faster than the PTY writer is scheduled is
// never dropped. Each push stays its own PTY write, so a lone Esc is not
// merged into the key after it (programs read that as Alt-key).
type inputQueue struct {
	mu    sync.Mutex // guards the pending inputs: the network goroutine and a plugin push, the PTY writer takes
	q     [][]byte
	bytes int
	wake  chan struct{} // cap 1: "something is queued"
}

func newInputQueue() *inputQueue { return &inputQueue{wake: make(chan struct{}, 1)} }

// push queues a copy of p; false when the queue is full (p is not queued).
func (q *inputQueue) push(p []byte) bool {
	if len(p) == 0 {
		return true
	}
	q.mu.Lock()
	if q.bytes+len(p) > maxQueuedInput {
		q.mu.Unlock()
		return false
	}
	q.q = append(q.q, append([]byte(nil), p...))
	q.bytes += len(p)
	q.mu.Unlock()
	select {
	case q.wake <- struct{}{}:
	default:
	}
	return true
}

// take returns every queued input, oldest first, and empties the queue.
func (q *inputQueue) take() [][]byte {
	q.mu.Lock()
	defer q.mu.Unlock()
	out := q.q
	q.q, q.bytes = nil, 0
	return out
}
