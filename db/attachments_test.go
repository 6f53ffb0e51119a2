package db

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"
)

// A session's attachments are kept with their bytes up to the session's
// bound, and go with its log when retention trims it.
func TestAttachmentsBoundedAndTrimmed(t *testing.T) {
	s := opsOpen(t, t.TempDir())
	now := time.Now()
	opsSession(t, s, "old-ended", now.Add(-41*24*time.Hour), 10, now.Add(-40*24*time.Hour))
	opsSession(t, s, "new-ended", now.Add(-2*24*time.Hour), 10, now.Add(-24*time.Hour))
	put := func(sid, id string, data []byte, max int64) error {
		return s.PutAttachment(Attachment{ID: id, Session: sid, Name: id + ".png", Type: "image/png", Size: int64(len(data))}, data, max)
	}
	pic := bytes.Repeat([]byte{0x89}, 600)
	for _, sid := range []string{"old-ended", "new-ended"} {
		if err := put(sid, "a1", pic, 1000); err != nil {
			t.Fatal(err)
		}
	}
	if err := put("new-ended", "a2", pic, 1000); !errors.Is(err, ErrAttachmentsFull) {
		t.Fatalf("past the bound: %v", err)
	}
	a, data, err := s.GetAttachment("new-ended", "a1")
	if err != nil || a.Type != "image/png" || !bytes.Equal(data, pic) {
		t.Fatalf("get: %+v %d bytes %v", a, len(data), err)
	}
	if list, _ := s.Attachments("new-ended"); len(list) != 1 {
		t.Fatalf("list: %+v", list)
	}

	if _, err := s.TrimEnded(context.Background(), now.Add(-30*24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.GetAttachment("old-ended", "a1"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("a trimmed session's attachment: %v, want ErrNotFound", err)
	}
	if _, _, err := s.GetAttachment("new-ended", "a1"); err != nil {
		t.Fatalf("a kept session's attachment: %v", err)
	}
}
