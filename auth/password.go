// Package auth owns ct's credentials: password hashing (argon2id), token
// minting and checking, the principal a request acts as and what each role
// may do, and the login rate limiter. It stores nothing; db does.
package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"runtime"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Argon2id parameters: memory-hard, chosen so one login takes ~50–250 ms
// on the 2-core machines ct is tested on (see BENCHMARKS.md): 3 passes over
// 64 MiB (RFC 9106's second recommended setting) measured ~70 ms there when
// idle; 32 MiB measured ~35 ms, under the range.
const (
	argonTime    = 3
	argonMemory  = 64 * 1024 // KiB
	argonThreads = 2
	argonKeyLen  = 32
	saltLen      = 16
)

// hashing bounds concurrent argon2 runs: each holds argonMemory, so a flood
// of login attempts would otherwise allocate without limit and could take
// the hub down. Extra attempts wait their turn (the CPU is busy anyway).
var hashing = make(chan struct{}, max(2, runtime.GOMAXPROCS(0)))

func hashSlot() (release func()) {
	hashing <- struct{}{}
	return func() { <-hashing }
}

// MinPassword is the shortest password accepted.
const MinPassword = 10

// HashPassword returns an encoded argon2id hash of pw.
func HashPassword(pw string) (string, error) {
	if len(pw) < MinPassword {
		return "", fmt.Errorf("password must be at least %d characters", MinPassword)
	}
	if len(pw) > 1024 {
		return "", errors.New("password is over 1024 characters")
	}
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	release := hashSlot()
	key := argon2.IDKey([]byte(pw), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	release()
	b64 := base64.RawStdEncoding.EncodeToString
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads, b64(salt), b64(key)), nil
}

// CheckPassword reports whether pw matches the encoded hash.
func CheckPassword(encoded, pw string) bool {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" || len(pw) > 1024 {
		return false
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil || m > 1<<21 || t > 20 || p == 0 {
		return false
	}
	salt, err1 := base64.RawStdEncoding.DecodeString(parts[4])
	want, err2 := base64.RawStdEncoding.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(want) == 0 {
		return false
	}
	release := hashSlot()
	got := argon2.IDKey([]byte(pw), salt, t, m, p, uint32(len(want)))
	release()
	return subtle.ConstantTimeCompare(got, want) == 1
}
