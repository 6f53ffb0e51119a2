package hub

import (
	"sync/atomic"
	"time"
)

// The round budget follows what the emulator actually does: on a box where
// the hub gets half a core (other work, a small VM) the same bytes take
// twice as long, and a fixed budget would let every screen fall that much
// further behind. So each feed's throughput (bytes emulated per second of
// wall time holding its slot) is measured, and a round is what the emulator
// does in roundTarget.
const (
	// roundTarget is how long one round of every busy session's feed
	// should take: with the publish throttle (≤ 50 ms) and the wrap's own
	// batching, a screen stays under the 200 ms of issue 17's goal 4.
	roundTarget = 80 * time.Millisecond
	// The budget's bounds: the floor keeps a round worth a screenful to a
	// few sessions even on a starved box; the ceiling is where rounds are
	// short anyway and a bigger share only costs CPU.
	minRound = 32 << 10
	maxRound = 512 << 10
	// meterMin is the least a feed must emulate to be measured: a few
	// bytes' time is mostly the fixed cost of reading the rows back.
	meterMin = 2 << 10
)

// emuMeter is the emulator's measured throughput in bytes per second, an
// exponentially weighted mean over feeds (1/8 weight for the newest); 0
// until the first measured feed. Safe for concurrent use: feeds in several
// slots update it at once.
type emuMeter struct{ rate atomic.Int64 }

// observe records a feed that emulated n bytes in d.
func (m *emuMeter) observe(n int, d time.Duration) {
	if n < meterMin || d <= 0 {
		return
	}
	r := int64(float64(n) / d.Seconds())
	for {
		old := m.rate.Load()
		next := r
		if old > 0 {
			next = old + (r-old)/8
		}
		if m.rate.CompareAndSwap(old, max(next, 1)) {
			return
		}
	}
}

// round is the bytes one round of feeds may emulate in all (roundBudget
// before anything was measured).
func (m *emuMeter) round() int {
	r := m.rate.Load()
	if r == 0 {
		return roundBudget
	}
	return int(min(max(r*int64(roundTarget)/int64(time.Second), minRound), maxRound))
}
