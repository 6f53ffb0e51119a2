package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strings"
)

// Token kinds, visible in the token's prefix so a person can tell them apart.
const (
	KindMachine = "machine" // ct wrap / ct node / ct hook / ct mcp on one machine
	KindAPI     = "api"     // scripts and agents, with a person's rights or fewer
	KindSession = "session" // a browser login (cookie)
	KindSetup   = "setup"   // the one-time first-start link
	// KindAgent is one wrapped session's own credential, minted by the hub
	// on its first session.start and given to its ct mcp: coordination
	// only. It never sees or drives sessions, answers prompts, or streams.
	KindAgent = "agent"
)

var prefixes = map[string]string{KindMachine: "ctm", KindAPI: "cta", KindSession: "cts", KindSetup: "ctx", KindAgent: "ctg"}

// NewToken mints a token: "<prefix>_<id>_<secret>". Only Hash(secret) is
// stored; id finds the record without a scan.
func NewToken(kind string) (plain, id, hash string) {
	idb := make([]byte, 8)
	sec := make([]byte, 32)
	_, _ = rand.Read(idb)
	_, _ = rand.Read(sec)
	id = hex.EncodeToString(idb)
	secret := base64.RawURLEncoding.EncodeToString(sec)
	return prefixes[kind] + "_" + id + "_" + secret, id, Hash(secret)
}

// ParseToken splits a token into kind, id and secret.
func ParseToken(plain string) (kind, id, secret string, ok bool) {
	parts := strings.SplitN(strings.TrimSpace(plain), "_", 3) // the secret may contain "_"
	if len(parts) != 3 || len(parts[1]) != 16 || len(parts[2]) < 40 || len(parts[2]) > 64 {
		return "", "", "", false
	}
	for k, p := range prefixes {
		if p == parts[0] {
			return k, parts[1], parts[2], true
		}
	}
	return "", "", "", false
}

// Hash is how token secrets are stored: SHA-256 (the secrets are 256-bit
// random, so a fast hash is enough; a slow one would tax every request).
func Hash(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}
