package hub

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/ct-dev/ct/wire"
)

// An attachment reaches the wrap in order, in chunks no larger than one
// frame allows, and Deliver returns the path the wrap answers with; the
// wrap's refusal is the person's error; someone without the wheel sends
// nothing.
func TestDeliverAttachment(t *testing.T) {
	th := newTestHub(t)
	const sid = "sess-attach"
	tr, done, _ := th.connect(t, sid)
	data := bytes.Repeat([]byte("0123456789"), 130_000) // 1.3 MB: three chunks

	// The wrap's side: assemble the chunks, answer with a path.
	got := make(chan []byte, 1)
	go func() {
		var buf []byte
		for {
			e := tr.recv(t, wire.TypeAttachPut)
			var p wire.AttachPut
			if err := e.Decode(&p); err != nil || p.Check(len(e.Data)) != nil || p.Off != int64(len(buf)) {
				got <- nil
				return
			}
			buf = append(buf, e.Data...)
			if int64(len(buf)) == p.Size {
				got <- buf
				tr.toHub <- envelope(t, wire.TypeAttachDone, wire.AttachDone{ID: p.ID, Path: "/run/ct-attach-1/" + p.ID + "-" + p.Name})
				return
			}
		}
	}()
	path, err := th.Deliver(context.Background(), sid, "ann", "a1b2", "my photo.png", data)
	if err != nil {
		t.Fatal(err)
	}
	if path != "/run/ct-attach-1/a1b2-my_photo.png" {
		t.Fatalf("path = %q", path)
	}
	if b := <-got; !bytes.Equal(b, data) {
		t.Fatalf("the wrap got %d bytes, want the %d sent", len(b), len(data))
	}

	// The wrap refuses: its reason is in the error.
	go func() {
		e := tr.recv(t, wire.TypeAttachPut)
		var p wire.AttachPut
		_ = e.Decode(&p)
		tr.toHub <- envelope(t, wire.TypeAttachDone, wire.AttachDone{ID: p.ID, Error: "disk full"})
	}()
	if _, err := th.Deliver(context.Background(), sid, "ann", "c3d4", "x.png", []byte("x")); !errors.Is(err, ErrAttachFailed) || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("a refused attachment: %v", err)
	}

	// Ann holds the wheel (she sent first): Bob is refused before anything goes out.
	if _, err := th.Deliver(context.Background(), sid, "bob", "e5f6", "x.png", []byte("x")); !errors.Is(err, ErrNotHolder) {
		t.Fatalf("bob without the wheel: %v, want ErrNotHolder", err)
	}
	select {
	case e := <-tr.fromHub:
		if e.Type == wire.TypeAttachPut {
			t.Fatal("bob's attachment went to the wrap")
		}
	default:
	}
	finish(t, tr, done)
}
