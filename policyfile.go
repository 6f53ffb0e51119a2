package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/ct-dev/ct/handlers"
	"github.com/ct-dev/ct/policy"
)

// policyPoll is how often ct serve looks at the policy file's size and
// modification time. Polling, not fsnotify: one stat every two seconds
// costs nothing, needs no new dependency, and sees every way a file is
// replaced (editors that write a new file and rename it over the old one,
// config management, a bind mount updated in a container), which a watch
// on the file itself misses.
const policyPoll = 2 * time.Second

// policyFile is the approval policy ct serve loaded from --policy: the last
// good one stays in force while the file is bad, and the error is kept for
// the admin page.
type policyFile struct {
	path string
	log  *slog.Logger

	// mu guards everything below: the hub reads the policy for every
	// prompt while the poller and the admin page replace it.
	mu       sync.Mutex
	cur      *policy.Policy
	text     []byte
	loadErr  error
	loadedAt time.Time
	modTime  time.Time
	size     int64
}

// openPolicy loads path; a file that is missing or bad stops ct serve with
// what to fix (a running hub keeps its last good policy instead).
func openPolicy(path string, log *slog.Logger) (*policyFile, error) {
	f := &policyFile{path: path, log: log}
	if err := f.load(); err != nil {
		return nil, fmt.Errorf("--policy %s: %w", path, err)
	}
	log.Info("approval policy loaded", "path", path, "rules", len(f.cur.Rules))
	return f, nil
}

// Current is the policy in force.
func (f *policyFile) Current() *policy.Policy {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.cur
}

// Status says what is in force and whether the file on disk is.
func (f *policyFile) Status() handlers.PolicyStatus {
	f.mu.Lock()
	defer f.mu.Unlock()
	st := handlers.PolicyStatus{Path: f.path, Text: string(f.text), LoadedAt: f.loadedAt}
	if f.cur != nil {
		st.Rules = len(f.cur.Rules)
	}
	if f.loadErr != nil {
		st.Err = f.loadErr.Error()
	}
	return st
}

// load reads and parses the file if it changed since the last look.
func (f *policyFile) load() error {
	fi, err := os.Stat(f.path)
	if err != nil {
		return f.failed(fmt.Errorf("cannot read it (%v); create it, e.g. with {\"rules\": []}", err))
	}
	f.mu.Lock()
	same := f.cur != nil && fi.ModTime().Equal(f.modTime) && fi.Size() == f.size
	f.mu.Unlock()
	if same {
		return nil
	}
	if fi.Size() > policy.MaxFileBytes {
		return f.failed(fmt.Errorf("it is %d bytes; at most %d", fi.Size(), policy.MaxFileBytes))
	}
	data, err := os.ReadFile(f.path)
	if err != nil {
		return f.failed(err)
	}
	pol, err := policy.Parse(data)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.modTime, f.size = fi.ModTime(), fi.Size() // a bad file is reported once, not every poll
	if err != nil {
		f.loadErr = err
		return err
	}
	f.cur, f.text, f.loadErr, f.loadedAt = pol, data, nil, time.Now()
	return nil
}

func (f *policyFile) failed(err error) error {
	f.mu.Lock()
	f.loadErr = err
	f.mu.Unlock()
	return err
}

// run reloads the file when it changes until ctx ends.
func (f *policyFile) run(ctx context.Context) {
	t := time.NewTicker(policyPoll)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		before := f.Status()
		err := f.load()
		after := f.Status()
		switch {
		case err != nil && after.Err != before.Err:
			f.log.Error("approval policy not reloaded; the last good one stays in force (fix the file)", "path", f.path, "error", err)
		case err == nil && !after.LoadedAt.Equal(before.LoadedAt):
			f.log.Info("approval policy reloaded", "path", f.path, "rules", after.Rules)
		}
	}
}

// Save checks text and, when it is a valid policy, writes it over the file
// atomically (a temporary file in the same directory, synced, renamed) and
// puts it in force. A bad text changes nothing and says what is wrong.
func (f *policyFile) Save(text []byte) error {
	pol, err := policy.Parse(text)
	if err != nil {
		return err
	}
	dir := filepath.Dir(f.path)
	tmp, err := os.CreateTemp(dir, ".ct-policy-*")
	if err != nil {
		return fmt.Errorf("cannot write beside %s (%v); make its directory writable by ct serve", f.path, err)
	}
	defer os.Remove(tmp.Name()) // after a successful rename there is nothing to remove
	_, err = tmp.Write(text)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp.Name(), 0o644)
	}
	if err == nil {
		err = os.Rename(tmp.Name(), f.path)
	}
	if err != nil {
		return fmt.Errorf("saving %s: %w", f.path, err)
	}
	fi, err := os.Stat(f.path)
	if err != nil {
		return errors.New("saved, but cannot read it back: " + err.Error())
	}
	f.mu.Lock()
	f.cur, f.text, f.loadErr, f.loadedAt, f.modTime, f.size = pol, append([]byte(nil), text...), nil, time.Now(), fi.ModTime(), fi.Size()
	f.mu.Unlock()
	f.log.Info("approval policy saved from the admin page", "path", f.path, "rules", len(pol.Rules))
	return nil
}
