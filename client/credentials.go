package client

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/ct-dev/ct/platform"
)

// credentials is what `ct login` saves for this OS user: a machine token
// (and a coordination API token) per hub, and the hub logged in to last.
type credentials struct {
	Default string              `json:"default,omitempty"`
	Hubs    map[string]SavedHub `json:"hubs"`
}

// SavedHub is what ct login saved for one hub.
type SavedHub struct {
	Token   string `json:"token"` // the machine token ct wrap and ct node use
	Machine string `json:"machine"`
	User    string `json:"user"`
	// APIToken is the person's own API token ct login made for the
	// coordination commands (ct msg, lock, todo, remind, mcp): a machine
	// token cannot call the API. Empty after a pairing-code login.
	APIToken string    `json:"api_token,omitempty"`
	SavedAt  time.Time `json:"saved_at"`
}

// LocalHub is the hub a workstation command calls when nothing else says
// which: the address ct serve listens on by default.
const LocalHub = "http://127.0.0.1:7200"

// DefaultHub is the hub a workstation command uses without --hub, and
// where that came from (for messages): CT_HUB (which ct wrap also sets for
// the programs it runs, so it names the session's own hub), else the hub
// ct login saved last, else LocalHub.
func DefaultHub(getenv func(string) string) (hub, from string) {
	if h := strings.TrimSpace(getenv("CT_HUB")); h != "" {
		return HubKey(h), "CT_HUB"
	}
	if c, ok := loadCredentials(getenv); ok {
		if _, saved := c.Hubs[c.Default]; saved && c.Default != "" {
			return c.Default, "saved by ct login"
		}
		if h := OnlySavedHub(getenv); h != "" {
			return h, "saved by ct login"
		}
	}
	return LocalHub, "the default"
}

// CredentialsPath is $XDG_CONFIG_HOME/ct/credentials.json (~/.config/ct/...);
// on Windows, where HOME is usually unset, %APPDATA%\ct\credentials.json.
func CredentialsPath(getenv func(string) string) (string, error) {
	dir := getenv("XDG_CONFIG_HOME")
	if dir == "" {
		home := getenv("HOME")
		switch {
		case home != "":
			dir = filepath.Join(home, ".config")
		case getenv("APPDATA") != "":
			dir = getenv("APPDATA")
		default:
			return "", errors.New("none of XDG_CONFIG_HOME, HOME or APPDATA is set: set one to the directory for ct's credentials")
		}
	}
	return filepath.Join(dir, "ct", "credentials.json"), nil
}

// HubKey is a hub URL as credentials and outboxes key it: trimmed, without
// trailing slashes.
func HubKey(hub string) string { return strings.TrimRight(strings.TrimSpace(hub), "/") }

// loadCredentials reads the credentials file; ok is false when it is
// missing or unreadable.
func loadCredentials(getenv func(string) string) (c credentials, ok bool) {
	path, err := CredentialsPath(getenv)
	if err != nil {
		return c, false
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return c, false
	}
	return c, json.Unmarshal(b, &c) == nil
}

// SavedCredentials returns what `ct login` saved for hub, if anything.
func SavedCredentials(getenv func(string) string, hub string) (SavedHub, bool) {
	c, ok := loadCredentials(getenv)
	if !ok {
		return SavedHub{}, false
	}
	s, ok := c.Hubs[HubKey(hub)]
	return s, ok && s.Token != ""
}

// OnlySavedHub returns the hub ct login saved, when it saved exactly one.
func OnlySavedHub(getenv func(string) string) string {
	c, ok := loadCredentials(getenv)
	if !ok || len(c.Hubs) != 1 {
		return ""
	}
	for h := range c.Hubs {
		return h
	}
	return ""
}

// SaveCredentials records a token for hub, atomically (temporary file,
// rename), readable only by this OS user (directory 0700, file 0600). It
// returns the file's path.
func SaveCredentials(getenv func(string) string, hub string, s SavedHub) (string, error) {
	path, err := CredentialsPath(getenv)
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return "", err
	}
	if err := platform.RestrictDir(filepath.Dir(path)); err != nil { // Windows: mode bits are not an ACL
		return "", err
	}
	var c credentials
	if b, err := os.ReadFile(path); err == nil {
		_ = json.Unmarshal(b, &c)
	}
	if c.Hubs == nil {
		c.Hubs = map[string]SavedHub{}
	}
	c.Hubs[HubKey(hub)] = s
	c.Default = HubKey(hub) // the next command without --hub uses this hub
	b, _ := json.MarshalIndent(c, "", "  ")
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return "", err
	}
	return path, os.Rename(tmp, path)
}
