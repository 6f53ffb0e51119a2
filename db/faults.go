package db

import (
	"errors"

	bolt "go.etcd.io/bbolt"
)

// ErrUnstorable marks an event the store can never take as it is (it does
// not encode): retrying it cannot help, unlike a full or failing disk.
var ErrUnstorable = errors.New("event cannot be stored")

// IsUnstorable says whether err from AppendEvents comes from the events
// themselves (retrying the same batch fails the same way) rather than from
// the disk (retrying after space returns works).
func IsUnstorable(err error) bool {
	return errors.Is(err, ErrUnstorable) || errors.Is(err, ErrNotFound) ||
		errors.Is(err, bolt.ErrValueTooLarge) || errors.Is(err, bolt.ErrKeyTooLarge)
}
