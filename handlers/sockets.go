package handlers

import "sync"

// sockets is the registry of open workstation sockets (ct wrap's and ct
// node's WebSockets), so shutdown can close them all and wait for their
// handlers before the hub flushes to the store. Its methods (addWrap,
// removeWrap, closeWraps) are in ws.go.
type sockets struct {
	mu     sync.Mutex
	wraps  map[closer]struct{} // open sockets, closed at shutdown
	wrapWG sync.WaitGroup      // their handlers, waited for at shutdown
	done   chan struct{}       // closed at shutdown; no socket is added after
}

// streams is the socket registry's former name: ws.go and node.go (changed
// on another branch) still declare and call its methods by it. Rename them
// to sockets, and Server.streams to Server.sockets, once that branch is in.
type streams = sockets

// closer is an open socket that can be told the hub is going away.
type closer interface{ closeGoingAway() }

func newSockets() *sockets {
	return &sockets{wraps: map[closer]struct{}{}, done: make(chan struct{})}
}
