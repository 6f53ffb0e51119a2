package mcpproxy

import (
	"context"
	"encoding/json"
	"strconv"
	"time"

	"github.com/ct-dev/ct/coord"
)

// Route hands req from caller to the server's host and waits for the
// result: up to the call timeout, or until ctx ends (the caller left).
// A tool not on the server's allow-list is refused here, before the host
// hears of it.
func (r *Registry) Route(ctx context.Context, caller string, req CallRequest) (Result, error) {
	if len(req.Args) > r.lim.MaxBytes {
		return Result{}, fail(coord.TooLarge, "args are over "+strconv.Itoa(r.lim.MaxBytes>>10)+" KB; pass less")
	}
	if len(req.Args) > 0 && !json.Valid(req.Args) {
		return Result{}, fail(coord.Invalid, "args must be a JSON object of the tool's arguments")
	}
	r.mu.Lock()
	r.prune()
	s, ok := r.servers[req.Server]
	if !ok {
		r.mu.Unlock()
		return Result{}, fail(coord.NotFound, "no MCP server "+strconv.Quote(req.Server)+" (its host may have left); mcp_list shows the live ones")
	}
	if !s.allowed[req.Tool] {
		r.mu.Unlock()
		return Result{}, fail(coord.Forbidden, "tool "+strconv.Quote(req.Tool)+" is not on server "+s.Name+"'s allow-list; mcp_list shows the tools you may call")
	}
	h := r.hosts[s.Host]
	if len(h.queue) >= maxQueuedPerHost {
		r.mu.Unlock()
		return Result{}, &coord.Error{Kind: coord.TooMany, Msg: "host " + h.peer + " has " + strconv.Itoa(maxQueuedPerHost) + " calls waiting; retry shortly", RetryAfter: time.Second}
	}
	r.nextID++
	c := &call{Call: Call{ID: "c" + strconv.FormatUint(r.nextID, 10), Server: s.Name, Tool: req.Tool, Caller: caller, Args: req.Args},
		done: make(chan Result, 1)}
	h.queue = append(h.queue, c)
	s.Calls++
	close(h.wake) // wake the host's open poll
	h.wake = make(chan struct{})
	r.mu.Unlock()

	// Why a timer: a host that takes the call and never answers must not
	// hold the caller (and this goroutine) for ever.
	t := time.NewTimer(r.lim.CallTimeout)
	defer t.Stop()
	select {
	case res := <-c.done:
		return res, nil
	case <-t.C:
		r.forget(h, c.ID)
		return Result{}, fail(coord.Conflict, "server "+s.Name+" did not answer within "+r.lim.CallTimeout.String()+"; try again or ask its host")
	case <-ctx.Done():
		r.forget(h, c.ID)
		return Result{}, ctx.Err()
	}
}

// forget drops call id from h, answered or not.
func (r *Registry) forget(h *host, id string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(h.pending, id)
	for i, c := range h.queue {
		if c.ID == id {
			h.queue = append(h.queue[:i], h.queue[i+1:]...)
			break
		}
	}
}

// Poll is the host's long-poll: the calls for peer's servers, waiting up
// to wait for the first, and the servers the hub has peer hosting. A poll
// that ends because ctx ended (the host's connection closed: its ct mcp
// exited) drops the host and its servers at once. A peer that hosts
// nothing is answered at once, hosting nothing.
func (r *Registry) Poll(ctx context.Context, peer string, wait time.Duration) (PollAnswer, error) {
	r.mu.Lock()
	h := r.hosts[peer]
	if h == nil {
		r.mu.Unlock()
		return PollAnswer{Calls: []Call{}, Hosting: []string{}}, nil
	}
	h.polling++
	r.mu.Unlock()
	defer func() {
		r.mu.Lock()
		h.polling--
		h.lastPoll = r.now()
		r.mu.Unlock()
	}()
	// Why a timer: the poll answers empty after wait so proxies in between
	// never see an idle request, and the host's liveness is re-proved.
	t := time.NewTimer(wait)
	defer t.Stop()
	for {
		r.mu.Lock()
		if h.gone || len(h.queue) > 0 {
			ans := PollAnswer{Calls: make([]Call, 0, len(h.queue)), Hosting: h.names()}
			for _, c := range h.queue {
				h.pending[c.ID] = c
				ans.Calls = append(ans.Calls, c.Call)
			}
			h.queue = nil
			r.mu.Unlock()
			return ans, nil
		}
		wake := h.wake
		r.mu.Unlock()
		select {
		case <-wake:
		case <-t.C:
			r.mu.Lock()
			ans := PollAnswer{Calls: []Call{}, Hosting: h.names()}
			r.mu.Unlock()
			return ans, nil
		case <-ctx.Done():
			r.HostGone(peer)
			return PollAnswer{}, ctx.Err()
		}
	}
}

// names are the servers h hosts (none once it is gone); r.mu is held.
func (h *host) names() []string {
	out := []string{}
	if !h.gone {
		for n := range h.servers {
			out = append(out, n)
		}
	}
	return out
}

// Deliver is the host's answer to call id. It must be peer's own call,
// and the result within the size limit.
func (r *Registry) Deliver(peer, id string, res Result) error {
	if len(res.Result) > r.lim.MaxBytes {
		res = Result{Error: "the tool's result is over " + strconv.Itoa(r.lim.MaxBytes>>10) + " KB, the hub's limit"}
	}
	if len(res.Error) > 4<<10 {
		res.Error = res.Error[:4<<10]
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	h := r.hosts[peer]
	if h == nil {
		return fail(coord.NotFound, "you host no MCP server on this hub; register again")
	}
	c, ok := h.pending[id]
	if !ok {
		return fail(coord.NotFound, "no call "+strconv.Quote(id)+" waits for you (its caller gave up or it timed out)")
	}
	delete(h.pending, id)
	c.done <- res
	return nil
}
