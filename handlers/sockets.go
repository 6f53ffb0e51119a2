package handlers

import "sync"

// sockets is the registry of open workstation sockets (ct wrap's and ct
// node's WebSockets), so shutdown can close them all and wait for their
// handlers before the hub flushes to the store.
type sockets struct {
	mu     sync.Mutex
	wraps  map[closer]struct{} // open sockets, closed at shutdown
	wrapWG sync.WaitGroup      // their handlers, waited for at shutdown
	done   chan struct{}       // closed at shutdown; no socket is added after
}

// closer is an open socket that can be told the hub is going away.
type closer interface{ closeGoingAway() }

func newSockets() *sockets {
	return &sockets{wraps: map[closer]struct{}{}, done: make(chan struct{})}
}

// add registers an open socket; false once shutdown began.
func (st *sockets) add(c closer) bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	select {
	case <-st.done:
		return false
	default:
	}
	st.wraps[c] = struct{}{}
	st.wrapWG.Add(1)
	return true
}

// remove forgets a socket whose handler is ending.
func (st *sockets) remove(c closer) {
	st.mu.Lock()
	delete(st.wraps, c)
	st.mu.Unlock()
	st.wrapWG.Done()
}

// closeAll closes every workstation socket and waits for their handlers to
// end, so the hub can flush to the store knowing no more events arrive.
func (st *sockets) closeAll() {
	st.mu.Lock()
	select {
	case <-st.done:
	default:
		close(st.done)
	}
	for c := range st.wraps {
		c.closeGoingAway()
	}
	st.mu.Unlock()
	st.wrapWG.Wait()
}
