package hub

import "time"

const (
	// Screen updates are throttled per session by a token bucket: a frame
	// costs one token, frameRate tokens a second come back, at most
	// frameBurst are kept. So a flood gets ~20 updates a second after a
	// burst, and the first change after a quiet spell always goes out at
	// once (leading edge). Each input sent to the program adds a token
	// (Hub.Input): a keystroke's echo never waits for the bucket, however
	// fast the typing, and what that costs is bounded by the input requests
	// themselves.
	frameRate  = 20
	frameBurst = 20
	// echoFrames is what one input adds: its echo may come back in two
	// reads of the PTY (the line discipline flushes as it goes), and a
	// keystroke whose echo found the bucket empty would wait 50 ms.
	echoFrames = 2
)

// frameBucket is a session's publish throttle (frameRate, frameBurst);
// guarded by the session's scrMu. Plain arithmetic on the worker's clock
// readings: no timer per frame or per keystroke.
type frameBucket struct {
	tokens float64
	at     time.Time // when tokens was last brought up to date
}

// add refills the bucket for the time since the last call, plus extra
// tokens (inputs whose echo is due), never above frameBurst.
func (b *frameBucket) add(now time.Time, extra int) {
	if !b.at.IsZero() {
		b.tokens += now.Sub(b.at).Seconds() * frameRate
	}
	b.at = now
	b.tokens = min(b.tokens+float64(extra), frameBurst)
}

// wait is how long until a frame may go out: 0 when a token is there.
func (b *frameBucket) wait() time.Duration {
	if b.tokens >= 1 {
		return 0
	}
	return time.Duration((1 - b.tokens) / frameRate * float64(time.Second))
}

// take spends a token on a frame sent (a full resync may go out without
// one, leaving the bucket below zero for a while).
func (b *frameBucket) take() { b.tokens-- }

// typedInput records an input sent to the program: its echo gets a frame
// at once (frameBucket).
func (s *session) typedInput() {
	s.mu.Lock()
	s.typed = min(s.typed+echoFrames, frameBurst)
	s.mu.Unlock()
}
