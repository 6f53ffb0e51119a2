package connecttest

import (
	"sync"
	"time"
)

// waitLimit bounds a test's wait on a fake: far above a relay's poll.
const waitLimit = 20 * time.Second

// waitChange calls find with mu held until it reports true, sleeping on
// *changed (closed on every change of the fake) between calls; it reports
// false after waitLimit.
func waitChange(mu *sync.Mutex, changed *chan struct{}, find func() bool) bool {
	deadline := time.After(waitLimit)
	for {
		mu.Lock()
		ok, ch := find(), *changed
		mu.Unlock()
		if ok {
			return true
		}
		select {
		case <-ch:
		case <-deadline:
			return false
		}
	}
}
