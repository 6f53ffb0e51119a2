package ptywrap

import (
	"fmt"
	"io"
	"sync"
	"testing"
	"time"
)

// recordPTY is a PTY master that records what the program is sent.
type recordPTY struct {
	mu     sync.Mutex
	writes []string
	got    chan struct{} // cap 1: a write arrived
}

func (p *recordPTY) Read([]byte) (int, error) { return 0, io.EOF }
func (p *recordPTY) Write(b []byte) (int, error) {
	p.mu.Lock()
	p.writes = append(p.writes, string(b))
	p.mu.Unlock()
	select {
	case p.got <- struct{}{}:
	default:
	}
	return len(b), nil
}
func (p *recordPTY) Close() error                    { return nil }
func (p *recordPTY) SetReadDeadline(time.Time) error { return nil }
func (p *recordPTY) Resize(int, int) error           { return nil }

type quietEnd struct{}

func (quietEnd) Write(b []byte) (int, error) { return len(b), nil }
func (quietEnd) sizeWins() bool              { return false }

// A paste from the hub (more inputs than the old 64-chunk queue) that
// arrives before the PTY writer runs reaches the program whole, in order,
// each input its own write: none is dropped.
func TestHubPasteReachesProgramInOrder(t *testing.T) {
	s, err := openSession(sessionSpec{hub: "http://127.0.0.1:1"})
	if err != nil {
		t.Fatal(err)
	}
	const n = 256
	for i := 0; i < n; i++ {
		s.st.onInput([]byte(fmt.Sprintf("k%04d;", i))) // the network goroutine, before the writer runs
	}
	pty := &recordPTY{got: make(chan struct{}, 1)}
	s.master = pty
	go s.serveHub(quietEnd{})
	defer close(s.exited)
	deadline := time.After(10 * time.Second)
	for {
		pty.mu.Lock()
		got := append([]string(nil), pty.writes...)
		pty.mu.Unlock()
		if len(got) == n {
			for i, w := range got {
				if want := fmt.Sprintf("k%04d;", i); w != want {
					t.Fatalf("write %d is %q, want %q", i, w, want)
				}
			}
			return
		}
		select {
		case <-pty.got:
		case <-deadline:
			t.Fatalf("the program got %d of %d inputs", len(got), n)
		}
	}
}

// Input past maxQueuedInput is refused, not buffered without limit.
func TestInputQueueBounded(t *testing.T) {
	q := newInputQueue()
	chunk := make([]byte, 64<<10)
	for i := 0; i < maxQueuedInput/len(chunk); i++ {
		if !q.push(chunk) {
			t.Fatalf("push %d refused below the limit", i)
		}
	}
	if q.push([]byte("x")) {
		t.Fatal("push past the limit was queued")
	}
	if got := len(q.take()); got != maxQueuedInput/len(chunk) {
		t.Fatalf("took %d inputs", got)
	}
	if !q.push([]byte("x")) {
		t.Fatal("an emptied queue refuses input")
	}
}
