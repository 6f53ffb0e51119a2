package ptywrap

import "sync"

// mirrorTail is how much recent output a newly attached terminal gets: enough
// for a shell's last screens; full-screen programs redraw on the resize that
// attaching sends.
const mirrorTail = 64 << 10

// mirrorQueue bounds output chunks waiting for one attached terminal; a
// terminal that falls that far behind is detached rather than slowing the
// session.
const mirrorQueue = 256

// Attach subscribes a terminal to the output: it returns the recent output,
// a channel of what follows (closed when the program exits or the terminal
// falls too far behind) and the function that detaches it.
func (h *Headless) Attach() (tail []byte, out <-chan []byte, detach func()) {
	c := make(chan []byte, mirrorQueue)
	h.mu.Lock()
	tail = append([]byte(nil), h.tail...)
	select {
	case <-h.done:
		close(c)
	default:
		h.mirrors[c] = struct{}{}
		h.attached++
	}
	h.mu.Unlock()
	var once sync.Once
	return tail, c, func() {
		once.Do(func() {
			h.mu.Lock()
			if _, ok := h.mirrors[c]; ok {
				delete(h.mirrors, c)
				close(c)
			}
			h.attached--
			if h.attached < 0 {
				h.attached = 0
			}
			h.mu.Unlock()
		})
	}
}

// mirrorWriter is a headless session's end: it fans PTY output out to
// attached terminals without ever blocking the session (a terminal whose
// queue is full is cut off).
type mirrorWriter struct{ h *Headless }

func (m mirrorWriter) Write(p []byte) (int, error) {
	h := m.h
	h.mu.Lock()
	defer h.mu.Unlock()
	h.tail = append(h.tail, p...)
	if over := len(h.tail) - mirrorTail; over > 0 {
		h.tail = append(h.tail[:0], h.tail[over:]...)
	}
	for c := range h.mirrors {
		select {
		case c <- append([]byte(nil), p...):
		default:
			delete(h.mirrors, c)
			close(c)
		}
	}
	return len(p), nil
}

// sizeWins: an attached terminal's size wins over the hub's, as a wrap's
// local terminal does.
func (m mirrorWriter) sizeWins() bool {
	m.h.mu.Lock()
	defer m.h.mu.Unlock()
	return m.h.attached > 0
}
