package db

import (
	"fmt"
	"os"
	"path/filepath"
)

// OpenExisting opens the store in dir, failing (instead of creating one)
// when there is none: for tools that inspect a hub's data.
func OpenExisting(dir string) (*Store, error) {
	path := filepath.Join(dir, "ct.db")
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("no ct store at %s (pass the hub's --data directory): %w", path, err)
	}
	return Open(dir)
}
