package wire

import (
	"strings"
	"testing"
)

func TestAttachName(t *testing.T) {
	for in, want := range map[string]string{
		"photo.png":                       "photo.png",
		"My Photo (1).JPG":                "My_Photo__1_.JPG",
		"../../etc/passwd":                "passwd",
		`C:\Users\me\shot.png`:            "shot.png",
		".bashrc":                         "bashrc",
		"":                                "file",
		"ünï.txt":                         "_n_.txt",
		strings.Repeat("a", 200) + ".png": strings.Repeat("a", MaxAttachName-4) + ".png",
	} {
		if got := AttachName(in); got != want {
			t.Errorf("AttachName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestAttachPutCheck(t *testing.T) {
	ok := AttachPut{ID: "a1", Name: "x.png", Size: 10, Off: 5}
	if err := ok.Check(5); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []struct {
		p     AttachPut
		chunk int
	}{
		{AttachPut{ID: "a/1", Name: "x", Size: 1}, 1},
		{AttachPut{ID: "a1", Name: "x", Size: MaxAttach + 1}, 1},
		{AttachPut{ID: "a1", Name: "x", Size: 10, Off: 8}, 5},
		{AttachPut{ID: "a1", Name: "x", Size: 1 << 20}, AttachChunk + 1},
		{AttachPut{ID: "a1", Name: "../x", Size: 1}, 1},
	} {
		if bad.p.Check(bad.chunk) == nil {
			t.Errorf("%+v with a %d-byte chunk was accepted", bad.p, bad.chunk)
		}
	}
}
