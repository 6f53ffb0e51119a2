package coord

import (
	"slices"
	"testing"
)

func TestSortPeersByHeadroom(t *testing.T) {
	free := func(n int64) *int64 { return &n }
	peers := []Peer{
		{Name: "a-person"},
		{Name: "b-unknown-big", Stats: &PeerStats{Context: 90_000}},
		{Name: "c-full", Stats: &PeerStats{Context: 190_000, Window: 200_000, Free: free(10_000)}},
		{Name: "d-unknown-small", Stats: &PeerStats{Context: 5_000}},
		{Name: "e-roomy", Stats: &PeerStats{Context: 20_000, Window: 200_000, Free: free(180_000)}},
	}
	SortPeers(peers, SortHeadroom)
	var got []string
	for _, p := range peers {
		got = append(got, p.Name)
	}
	want := []string{"e-roomy", "c-full", "d-unknown-small", "b-unknown-big", "a-person"}
	if !slices.Equal(got, want) {
		t.Errorf("headroom order = %v, want %v", got, want)
	}
	SortPeers(peers, SortName)
	if peers[0].Name != "a-person" || peers[4].Name != "e-roomy" {
		t.Errorf("name order = %+v", peers)
	}
}
