package wire

import (
	"bytes"
	"encoding/binary"
	"errors"
	"strings"
	"testing"
	"time"
)

// frameWithHeader builds a frame whose JSON header is exactly n bytes (by
// padding the from field) followed by data.
func frameWithHeader(t *testing.T, n int, data []byte) []byte {
	t.Helper()
	e := Envelope{V: Version, Type: TypePtyOutput, TS: time.Unix(0, 0).UTC()}
	b, err := Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	base := len(b) - 1 - uvarintLen(len(b)) // header bytes with an empty from
	e.From = strings.Repeat("f", n-base-len(`,"from":""`))
	hdr := `{"v":1,"type":"pty.output","from":"` + e.From + `","ts":"1970-01-01T00:00:00Z"}`
	if len(hdr) != n {
		t.Fatalf("built a %d-byte header, want %d", len(hdr), n)
	}
	out := []byte{frameMagic}
	out = binary.AppendUvarint(out, uint64(len(hdr)))
	out = append(out, hdr...)
	return append(out, data...)
}

func uvarintLen(n int) int { return len(binary.AppendUvarint(nil, uint64(n))) }

func TestHeaderAndDataLimits(t *testing.T) {
	ok := frameWithHeader(t, MaxHeader, make([]byte, MaxData))
	e, err := Unmarshal(ok)
	if err != nil {
		t.Fatalf("a frame at both limits was refused: %v", err)
	}
	if len(e.Data) != MaxData || len(e.From) < MaxHeader-100 {
		t.Fatalf("decoded data %d from %d", len(e.Data), len(e.From))
	}
	if len(ok) > MaxFrame {
		t.Fatalf("a frame at both limits is %d bytes, over MaxFrame %d", len(ok), MaxFrame)
	}
	if _, err := Unmarshal(frameWithHeader(t, MaxHeader+1, nil)); !errors.Is(err, ErrFrame) {
		t.Errorf("header over the limit: %v", err)
	}
	if _, err := Unmarshal(frameWithHeader(t, 100, make([]byte, MaxData+1))); !errors.Is(err, ErrFrame) {
		t.Errorf("data over the limit: %v", err)
	}
	// Marshal refuses what Unmarshal would refuse.
	if _, err := Marshal(Envelope{Type: TypePtyOutput, From: strings.Repeat("f", MaxHeader)}); err == nil {
		t.Error("Marshal encoded a header over the limit")
	}
	if _, err := Marshal(Envelope{Type: TypePtyOutput, Data: make([]byte, MaxData)}); err != nil {
		t.Errorf("Marshal refused data at the limit: %v", err)
	}
}

func TestMalformedLengths(t *testing.T) {
	cases := map[string][]byte{
		"varint overflow":   append([]byte{frameMagic}, bytes.Repeat([]byte{0xff}, 11)...),
		"varint cut":        {frameMagic, 0x80},
		"magic only":        {frameMagic},
		"length past end":   {frameMagic, 10, '{', '}'},
		"header not object": append([]byte{frameMagic, 2}, "[]"...),
		"huge length":       binary.AppendUvarint([]byte{frameMagic}, 1<<62),
	}
	for name, b := range cases {
		if _, err := Unmarshal(b); !errors.Is(err, ErrFrame) {
			t.Errorf("%s: %v, want ErrFrame", name, err)
		}
	}
}

func TestVersionAndDefaults(t *testing.T) {
	b, err := Marshal(Envelope{Type: TypeAck, Seq: 9})
	if err != nil {
		t.Fatal(err)
	}
	e, err := Unmarshal(b)
	if err != nil || e.V != Version || e.Seq != 9 {
		t.Fatalf("a zero version is sent as %d: %+v %v", Version, e, err)
	}
	// An envelope of another version is refused with a message saying what to do.
	_, err = Unmarshal(mustFrame(t, `{"v":2,"type":"ack"}`))
	if err == nil || !strings.Contains(err.Error(), "upgrade") {
		t.Fatalf("version 2: %v", err)
	}
	// Data stays out of the JSON header: bytes are never base64-inflated.
	b, _ = Marshal(Envelope{Type: TypePtyOutput, Data: []byte("RAWBYTES")})
	if bytes.Count(b, []byte("RAWBYTES")) != 1 || !bytes.HasSuffix(b, []byte("RAWBYTES")) {
		t.Fatalf("data not carried verbatim after the header: %q", b)
	}
	// An empty data section decodes as nil, not an empty slice.
	b, _ = Marshal(Envelope{Type: TypeAck})
	if e, _ := Unmarshal(b); e.Data != nil {
		t.Fatalf("no data decoded as %#v", e.Data)
	}
}

// roundTrip sends p as a typ payload through Marshal and Unmarshal and
// decodes it into out.
func roundTrip(t *testing.T, typ string, p, out any) {
	t.Helper()
	e, err := New(typ, p)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Unmarshal(b)
	if err != nil {
		t.Fatal(err)
	}
	if err := got.Decode(out); err != nil {
		t.Fatalf("%s: %v", typ, err)
	}
}

func TestPayloadRoundTrips(t *testing.T) {
	at := time.Date(2026, 5, 6, 7, 8, 9, 0, time.UTC)
	hello := Hello{Node: "n", Hostname: "h", User: "u", OS: "linux", Version: "v"}
	var h2 Hello
	if roundTrip(t, TypeNodeHello, hello, &h2); h2 != hello {
		t.Errorf("hello: %+v", h2)
	}
	var s2 SessionStart
	roundTrip(t, TypeSessionStart, SessionStart{Command: "c", Args: []string{"-a"}, Cwd: "/", Cols: 1, Rows: 2, StartedAt: at}, &s2)
	if s2.Command != "c" || len(s2.Args) != 1 || s2.Args[0] != "-a" || s2.Cwd != "/" || s2.Cols != 1 || s2.Rows != 2 || !s2.StartedAt.Equal(at) {
		t.Errorf("session.start: %+v", s2)
	}
	var e2 SessionEnd
	roundTrip(t, TypeSessionEnd, SessionEnd{ExitCode: 3, Signal: "KILL", EndedAt: at}, &e2)
	if e2.ExitCode != 3 || e2.Signal != "KILL" || !e2.EndedAt.Equal(at) {
		t.Errorf("session.end: %+v", e2)
	}
	var r2 Resize
	if roundTrip(t, TypePtyResize, Resize{Cols: 5, Rows: 6}, &r2); r2 != (Resize{Cols: 5, Rows: 6}) {
		t.Errorf("resize: %+v", r2)
	}
	var d2 Dropped
	if roundTrip(t, TypePtyDropped, Dropped{Bytes: 7, Frames: 8}, &d2); d2 != (Dropped{Bytes: 7, Frames: 8}) {
		t.Errorf("dropped: %+v", d2)
	}
}

func TestDecodeErrors(t *testing.T) {
	e, _ := New(TypeSessionAck, nil)
	var a SessionAck
	if err := e.Decode(&a); err == nil || !strings.Contains(err.Error(), TypeSessionAck) {
		t.Errorf("no payload: %v", err)
	}
	e.Payload = []byte(`{"seq":"not a number"}`)
	if err := e.Decode(&a); err == nil || !strings.Contains(err.Error(), TypeSessionAck) {
		t.Errorf("wrong shape: %v", err)
	}
	if _, err := New(TypeError, make(chan int)); err == nil {
		t.Error("New encoded an unencodable payload")
	}
}

func TestUnmarshalAliasesInput(t *testing.T) {
	b, _ := Marshal(Envelope{Type: TypePtyOutput, Data: []byte("abc")})
	e, err := Unmarshal(b)
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)-1] = 'X'
	// Documented: Data aliases the frame, so a reader that reuses its buffer must copy.
	if string(e.Data) != "abX" {
		t.Fatalf("Data does not alias the frame as documented: %q", e.Data)
	}
}
