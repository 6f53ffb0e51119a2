package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// credentials is what `ct login` saves for this OS user: a machine token per hub.
type credentials struct {
	Hubs map[string]savedHub `json:"hubs"`
}

type savedHub struct {
	Token   string    `json:"token"`
	Machine string    `json:"machine"`
	User    string    `json:"user"`
	SavedAt time.Time `json:"saved_at"`
}

// credentialsPath is $XDG_CONFIG_HOME/ct/credentials.json (~/.config/ct/...).
func credentialsPath(getenv func(string) string) (string, error) {
	dir := getenv("XDG_CONFIG_HOME")
	if dir == "" {
		home := getenv("HOME")
		if home == "" {
			return "", errors.New("neither XDG_CONFIG_HOME nor HOME is set")
		}
		dir = filepath.Join(home, ".config")
	}
	return filepath.Join(dir, "ct", "credentials.json"), nil
}

func hubKey(hub string) string { return strings.TrimRight(strings.TrimSpace(hub), "/") }

// savedCredentials returns what `ct login` saved for hub, if anything.
func savedCredentials(getenv func(string) string, hub string) (savedHub, bool) {
	path, err := credentialsPath(getenv)
	if err != nil {
		return savedHub{}, false
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return savedHub{}, false
	}
	var c credentials
	if json.Unmarshal(b, &c) != nil {
		return savedHub{}, false
	}
	s, ok := c.Hubs[hubKey(hub)]
	return s, ok && s.Token != ""
}

// saveCredentials records a token for hub, atomically, readable only by
// this OS user.
func saveCredentials(getenv func(string) string, hub string, s savedHub) (string, error) {
	path, err := credentialsPath(getenv)
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return "", err
	}
	var c credentials
	if b, err := os.ReadFile(path); err == nil {
		_ = json.Unmarshal(b, &c)
	}
	if c.Hubs == nil {
		c.Hubs = map[string]savedHub{}
	}
	c.Hubs[hubKey(hub)] = s
	b, _ := json.MarshalIndent(c, "", "  ")
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return "", err
	}
	return path, os.Rename(tmp, path)
}

// createToken asks hub for a token, authenticating with a name and password
// (HTTP Basic) or an existing token.
func createToken(hub, user, password, bearer string, req map[string]string) (string, error) {
	body, _ := json.Marshal(req)
	r, err := http.NewRequest(http.MethodPost, hubKey(hub)+"/api/v1/tokens", bytes.NewReader(body))
	if err != nil {
		return "", fmt.Errorf("hub URL %q: %w", hub, err)
	}
	r.Header.Set("Content-Type", "application/json")
	switch {
	case user != "":
		r.SetBasicAuth(user, password)
	case bearer != "":
		r.Header.Set("Authorization", "Bearer "+bearer)
	default:
		return "", errors.New("no credentials: set CT_USER and CT_PASSWORD (or CT_TOKEN with an API token)")
	}
	client := &http.Client{Timeout: 30 * time.Second}
	resp, err := client.Do(r)
	if err != nil {
		return "", fmt.Errorf("reach the hub at %s: %w", hub, err)
	}
	defer resp.Body.Close()
	var out struct {
		Token string `json:"token"`
		Error string `json:"error"`
	}
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	_ = json.Unmarshal(data, &out)
	if resp.StatusCode != http.StatusCreated || out.Token == "" {
		msg := out.Error
		if msg == "" {
			msg = strings.TrimSpace(string(data))
		}
		return "", fmt.Errorf("the hub refused (%s): %s", resp.Status, msg)
	}
	return out.Token, nil
}
