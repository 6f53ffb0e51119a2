package audit

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/ct-dev/ct/db"
)

// The hash chain shows an entry was changed or removed in the middle, but
// not that the newest entries were cut off: the shorter chain is whole.
// So the hub anchors the chain's head: after every write it signs the head
// (seq and hash) with a key kept in a file outside the store and writes the
// signed head next to the store; it also exports the head in backups and
// /metrics, to be recorded elsewhere. A verifier compares the log with the
// signed head (forging a newer-looking one needs the key) and with any
// head recorded outside (which catches a rolled-back head file too).

// HeadFile is the signed head's file name in the data directory.
const HeadFile = "audit.head"

// KeyFile is the default key file name in the data directory.
const KeyFile = "audit.key"

// Anchor is a signed audit head (MAC "": unsigned, from a hub with no key).
type Anchor struct {
	db.AuditHead
	MAC string `json:"mac"`
}

// LoadKey reads the key at path, creating a random one (mode 0600) if the
// file does not exist.
func LoadKey(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		key := make([]byte, 32)
		if _, err := rand.Read(key); err != nil {
			return nil, err
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, err
		}
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return nil, fmt.Errorf("create the audit key %s: %w", path, err)
		}
		_, err = f.WriteString(hex.EncodeToString(key) + "\n")
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		return key, err
	}
	if err != nil {
		return nil, fmt.Errorf("read the audit key: %w (check --audit-key-file)", err)
	}
	return parseKey(path, b)
}

// ReadKey reads the key at path; unlike LoadKey it never creates one.
func ReadKey(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read the audit key: %w (pass --audit-key-file where the hub keeps it)", err)
	}
	return parseKey(path, b)
}

func parseKey(path string, b []byte) ([]byte, error) {
	key, err := hex.DecodeString(strings.TrimSpace(string(b)))
	if err != nil || len(key) < 16 {
		return nil, fmt.Errorf("the audit key %s is not 16+ hex-encoded bytes; restore it from where you keep it", path)
	}
	return key, nil
}

func mac(key []byte, h db.AuditHead) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("ct-audit-head\n" + strconv.FormatUint(h.Seq, 10) + "\n" + h.Hash))
	return hex.EncodeToString(m.Sum(nil))
}

// Sign returns h signed with key.
func Sign(key []byte, h db.AuditHead) Anchor { return Anchor{AuditHead: h, MAC: mac(key, h)} }

// Valid reports whether a was signed with key.
func (a Anchor) Valid(key []byte) bool {
	return hmac.Equal([]byte(a.MAC), []byte(mac(key, a.AuditHead)))
}

// WriteAnchor replaces the head file at path atomically (temp + rename),
// so a crash leaves the old head or the new one, never half of one.
func WriteAnchor(path string, a Anchor) error {
	b, err := json.Marshal(a)
	if err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, append(b, '\n'), 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// ReadAnchor reads the head file at path; ok is false when there is none.
func ReadAnchor(path string) (a Anchor, ok bool, err error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return a, false, nil
	}
	if err != nil {
		return a, false, err
	}
	if err := json.Unmarshal(b, &a); err != nil {
		return a, false, fmt.Errorf("the audit head file %s is not valid: %w", path, err)
	}
	return a, true, nil
}

// ParseHead reads SEQ:HASH (as /metrics shows it) or SEQ:HASH:MAC (as
// backups carry it); the MAC is "" when not given.
func ParseHead(s string) (Anchor, error) {
	parts := strings.Split(s, ":")
	var n uint64
	err := fmt.Errorf("not a number")
	if len(parts) == 2 || len(parts) == 3 {
		n, err = strconv.ParseUint(parts[0], 10, 64)
	}
	if err != nil || len(parts[1]) != 64 || len(parts) == 3 && len(parts[2]) != 64 {
		return Anchor{}, fmt.Errorf("--head %q: use SEQ:HASH or SEQ:HASH:MAC, e.g. 1234:%s, or a backup's .audit-head file", s, strings.Repeat("0", 64))
	}
	a := Anchor{AuditHead: db.AuditHead{Seq: n, Hash: parts[1]}}
	if len(parts) == 3 {
		a.MAC = parts[2]
	}
	return a, nil
}

// String is the anchor as ParseHead reads it: SEQ:HASH:MAC, or SEQ:HASH
// when unsigned.
func (a Anchor) String() string {
	s := strconv.FormatUint(a.Seq, 10) + ":" + a.Hash
	if a.MAC != "" {
		s += ":" + a.MAC
	}
	return s
}
