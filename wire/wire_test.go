package wire

import (
	"bytes"
	"errors"
	"testing"
)

func TestRoundTrip(t *testing.T) {
	e, err := New(TypeSessionStart, SessionStart{Command: "bash", Cwd: "/tmp", Cols: 80, Rows: 24})
	if err != nil {
		t.Fatal(err)
	}
	e.SessionID, e.Seq, e.Data = "abc", 7, []byte("hello\x00\xff")
	b, err := Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Unmarshal(b)
	if err != nil {
		t.Fatal(err)
	}
	if got.Type != e.Type || got.SessionID != "abc" || got.Seq != 7 || !bytes.Equal(got.Data, e.Data) || !got.TS.Equal(e.TS) {
		t.Fatalf("round trip changed the envelope: %+v", got)
	}
	var p SessionStart
	if err := got.Decode(&p); err != nil || p.Command != "bash" || p.Cols != 80 {
		t.Fatalf("payload: %+v %v", p, err)
	}
}

func TestRejects(t *testing.T) {
	good, _ := Marshal(Envelope{Type: TypeAck, Seq: 1})
	cases := map[string][]byte{
		"empty":     nil,
		"magic":     []byte("{\"v\":1}"),
		"truncated": good[:len(good)-3],
		"version":   mustFrame(t, `{"v":2,"type":"ack"}`),
		"no type":   mustFrame(t, `{"v":1}`),
		"not json":  mustFrame(t, `nope`),
	}
	for name, b := range cases {
		if _, err := Unmarshal(b); !errors.Is(err, ErrFrame) {
			t.Errorf("%s: got %v, want ErrFrame", name, err)
		}
	}
	if _, err := Marshal(Envelope{Type: TypePtyOutput, Data: make([]byte, MaxData+1)}); err == nil {
		t.Error("oversized data was encoded")
	}
}

func mustFrame(t *testing.T, hdr string) []byte {
	t.Helper()
	b := []byte{frameMagic, byte(len(hdr))}
	return append(b, hdr...)
}

func FuzzUnmarshal(f *testing.F) {
	b, _ := Marshal(Envelope{Type: TypePtyOutput, SessionID: "s", Seq: 3, Data: []byte("hi")})
	f.Add(b)
	f.Add([]byte{frameMagic, 0})
	f.Add([]byte{frameMagic, 0xff, 0xff, 0xff, 0xff, 0x0f})
	f.Fuzz(func(t *testing.T, in []byte) {
		e, err := Unmarshal(in)
		if err != nil {
			return
		}
		// Whatever decodes must re-encode and decode to the same thing.
		out, err := Marshal(e)
		if err != nil {
			t.Fatalf("decoded envelope does not re-encode: %v", err)
		}
		e2, err := Unmarshal(out)
		if err != nil {
			t.Fatalf("re-encoded frame does not decode: %v", err)
		}
		if e2.Type != e.Type || e2.Seq != e.Seq || !bytes.Equal(e2.Data, e.Data) {
			t.Fatalf("unstable round trip: %+v vs %+v", e, e2)
		}
	})
}
