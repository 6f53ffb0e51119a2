package db

import (
	"encoding/json"
	"fmt"
	"sort"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Node is a workstation that has connected at least once.
type Node struct {
	Name     string    `json:"name"`
	Hostname string    `json:"hostname"`
	User     string    `json:"user"`
	OS       string    `json:"os"`
	Version  string    `json:"version"`
	LastSeen time.Time `json:"last_seen"`
}

// PutNode records n, replacing what was known of it.
func (s *Store) PutNode(n Node) error {
	b, err := json.Marshal(n)
	if err != nil {
		return fmt.Errorf("encode node: %w", err)
	}
	return s.bolt.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketNodes).Put([]byte(n.Name), b)
	})
}

// Nodes lists every known node by name.
func (s *Store) Nodes() ([]Node, error) {
	var out []Node
	err := s.bolt.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketNodes).ForEach(func(_, v []byte) error {
			var n Node
			if err := json.Unmarshal(v, &n); err != nil {
				return fmt.Errorf("decode node: %w", err)
			}
			out = append(out, n)
			return nil
		})
	})
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, err
}
