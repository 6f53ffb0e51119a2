package coord

import (
	"fmt"
	"math"
	"sync"
	"time"
)

// Limits bound what one peer may make the hub do. The zero value of a
// field means its default (DefaultLimits).
type Limits struct {
	// MinReminderInterval is the shortest gap a repeating reminder may
	// have between firings ("@every 1s" would be a message flood).
	MinReminderInterval time.Duration
	// MessageRate is how many messages a minute one peer may send on
	// average; MessageBurst how many it may send at once after a quiet spell.
	MessageRate  float64
	MessageBurst int
	// MessageRetention is how long a message is kept once it is settled:
	// read, and answered when it asked to be (msgretention.go).
	MessageRetention time.Duration
}

// Defaults for Limits: a person types far slower, an agent reporting
// progress sends a few a minute; a burst of 20 covers a fan-out to a team.
const (
	DefaultMinReminderInterval = time.Minute
	DefaultMessageRate         = 60
	DefaultMessageBurst        = 20
)

// DefaultLimits are the limits ct serve runs with unless told otherwise.
func DefaultLimits() Limits {
	return Limits{MinReminderInterval: DefaultMinReminderInterval, MessageRate: DefaultMessageRate, MessageBurst: DefaultMessageBurst,
		MessageRetention: DefaultMessageRetention}
}

func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	if l.MinReminderInterval <= 0 {
		l.MinReminderInterval = d.MinReminderInterval
	}
	if l.MessageRate <= 0 {
		l.MessageRate = d.MessageRate
	}
	if l.MessageBurst <= 0 {
		l.MessageBurst = d.MessageBurst
	}
	if l.MessageRetention <= 0 {
		l.MessageRetention = d.MessageRetention
	}
	return l
}

// buckets is one token bucket per sending peer, in memory: a restart
// refills them, which costs at most one burst.
type buckets struct {
	mu    sync.Mutex // guards m; held for a few arithmetic steps per send
	rate  float64    // tokens per second
	burst float64
	m     map[string]*bucket
}

type bucket struct {
	tokens float64
	at     time.Time
}

// maxBuckets bounds the map: past it, full buckets (peers quiet for a
// while) are dropped, which loses nothing since they would be full anyway.
const maxBuckets = 10000

func newBuckets(perMinute float64, burst int) *buckets {
	return &buckets{rate: perMinute / 60, burst: float64(burst), m: map[string]*bucket{}}
}

// take spends one token of peer's bucket at now, or says how long until
// one is there.
func (b *buckets) take(peer string, now time.Time) (time.Duration, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	k, ok := b.m[peer]
	if !ok {
		if len(b.m) >= maxBuckets {
			b.prune(now)
		}
		k = &bucket{tokens: b.burst, at: now}
		b.m[peer] = k
	}
	k.tokens = math.Min(b.burst, k.tokens+now.Sub(k.at).Seconds()*b.rate)
	k.at = now
	if k.tokens >= 1 {
		k.tokens--
		return 0, true
	}
	wait := time.Duration((1 - k.tokens) / b.rate * float64(time.Second))
	return wait, false
}

func (b *buckets) prune(now time.Time) {
	for name, k := range b.m {
		if k.tokens+now.Sub(k.at).Seconds()*b.rate >= b.burst {
			delete(b.m, name)
		}
	}
}

// checkRate spends one of from's messages or returns a TooMany error whose
// RetryAfter says when the next one would be accepted.
func (s *Service) checkRate(from string) error {
	wait, ok := s.rate.take(from, s.clock.Now())
	if ok {
		return nil
	}
	secs := int(math.Ceil(wait.Seconds()))
	return &Error{Kind: TooMany, RetryAfter: time.Duration(secs) * time.Second,
		Msg: fmt.Sprintf("%s is sending messages faster than %g a minute (bursts of %g); wait %ds and send again, or batch updates into one message", from, s.rate.rate*60, s.rate.burst, secs)}
}
