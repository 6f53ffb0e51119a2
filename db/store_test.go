package db

import (
	"bytes"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ct-dev/ct/wire"
	bolt "go.etcd.io/bbolt"
)

// openStore opens a store in a fresh temp dir and closes it when the test ends.
func openStore(t *testing.T, dir string) *Store {
	t.Helper()
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func newSession(t *testing.T, s *Store, id string) Session {
	t.Helper()
	ss, err := s.UpsertSession(Session{ID: id, Node: "box", Command: "bash", Args: []string{"-l"}, Cwd: "/tmp", Cols: 80, Rows: 24, Status: StatusLive, StartedAt: t0})
	if err != nil {
		t.Fatal(err)
	}
	return ss
}

func output(id string, seq uint64, data string) wire.Envelope {
	return wire.Envelope{V: wire.Version, Type: wire.TypePtyOutput, SessionID: id, Seq: seq, TS: t0.Add(time.Duration(seq) * time.Second), Data: []byte(data)}
}

func payload(t *testing.T, typ, id string, seq uint64, p any) wire.Envelope {
	t.Helper()
	e, err := wire.New(typ, p)
	if err != nil {
		t.Fatal(err)
	}
	e.SessionID, e.Seq = id, seq
	return e
}

// readAll returns the stored events of id after seq.
func readAll(t *testing.T, s *Store, id string, after uint64) []wire.Envelope {
	t.Helper()
	var out []wire.Envelope
	if err := s.ReadLog(id, after, func(e wire.Envelope) error { out = append(out, e); return nil }); err != nil {
		t.Fatal(err)
	}
	return out
}

// txID is the id of the last committed write transaction.
func txID(t *testing.T, s *Store) int {
	t.Helper()
	var id int
	if err := s.bolt.View(func(tx *bolt.Tx) error { id = tx.ID(); return nil }); err != nil {
		t.Fatal(err)
	}
	return id
}

func TestAppendEventsOrderAndBytes(t *testing.T) {
	s := openStore(t, t.TempDir())
	newSession(t, s, "sess-aaaa")
	// Bytes a terminal really sends: NULs, invalid UTF-8, escapes.
	chunks := []string{"hello\r\n", "\x00\xff\xfe", "\x1b[31mred\x1b[0m", strings.Repeat("x", 70000)}
	var evs []wire.Envelope
	for i, c := range chunks {
		evs = append(evs, output("sess-aaaa", uint64(i+1), c))
	}
	acked, err := s.AppendEvents(evs)
	if err != nil {
		t.Fatal(err)
	}
	if acked["sess-aaaa"] != 4 {
		t.Fatalf("acked %v, want sess-aaaa:4", acked)
	}
	got := readAll(t, s, "sess-aaaa", 0)
	if len(got) != len(chunks) {
		t.Fatalf("read %d events, want %d", len(got), len(chunks))
	}
	for i, e := range got {
		if e.Seq != uint64(i+1) || e.Type != wire.TypePtyOutput || string(e.Data) != chunks[i] || e.SessionID != "sess-aaaa" {
			t.Errorf("event %d: seq %d type %s data %q", i, e.Seq, e.Type, e.Data)
		}
		if !e.TS.Equal(evs[i].TS) {
			t.Errorf("event %d: ts %v, want %v", i, e.TS, evs[i].TS)
		}
	}
	// after is exclusive.
	if rest := readAll(t, s, "sess-aaaa", 2); len(rest) != 2 || rest[0].Seq != 3 {
		t.Fatalf("ReadLog after 2 gave %d events starting at %v", len(rest), rest)
	}
	// The copy handed to fn must not alias bbolt's mmap: keep and compare after more writes.
	if _, err := s.AppendEvents([]wire.Envelope{output("sess-aaaa", 5, "more")}); err != nil {
		t.Fatal(err)
	}
	if string(got[0].Data) != chunks[0] {
		t.Fatalf("event data changed after later writes: %q", got[0].Data)
	}
}

func TestAppendEventsSkipsDuplicates(t *testing.T) {
	s := openStore(t, t.TempDir())
	newSession(t, s, "sess-dupe")
	if _, err := s.AppendEvents([]wire.Envelope{output("sess-dupe", 1, "ab"), output("sess-dupe", 2, "cd")}); err != nil {
		t.Fatal(err)
	}
	// A wrap resending after a reconnect: 1 and 2 again (with different
	// bytes, to prove the stored ones win), then new ones, and a repeat
	// inside the same batch.
	acked, err := s.AppendEvents([]wire.Envelope{
		output("sess-dupe", 1, "XX"), output("sess-dupe", 2, "YY"), output("sess-dupe", 3, "ef"),
		output("sess-dupe", 3, "ZZ"), output("sess-dupe", 4, "gh"),
	})
	if err != nil {
		t.Fatal(err)
	}
	if acked["sess-dupe"] != 4 {
		t.Fatalf("acked %v, want 4", acked)
	}
	var all bytes.Buffer
	for _, e := range readAll(t, s, "sess-dupe", 0) {
		all.Write(e.Data)
	}
	if all.String() != "abcdefgh" {
		t.Fatalf("log holds %q, want abcdefgh", all.String())
	}
	ss, _ := s.GetSession("sess-dupe")
	if ss.OutputBytes != 8 || ss.LastSeq != 4 {
		t.Fatalf("counters: output %d last seq %d, want 8 and 4", ss.OutputBytes, ss.LastSeq)
	}
	// A batch of nothing but duplicates still reports the durable seq.
	acked, err = s.AppendEvents([]wire.Envelope{output("sess-dupe", 2, "YY")})
	if err != nil || acked["sess-dupe"] != 4 {
		t.Fatalf("all-duplicate batch: acked %v err %v", acked, err)
	}
}

func TestAppendEventsOneTransactionPerCall(t *testing.T) {
	s := openStore(t, t.TempDir())
	newSession(t, s, "sess-bat1")
	newSession(t, s, "sess-bat2")
	var evs []wire.Envelope
	for i := uint64(1); i <= 500; i++ {
		evs = append(evs, output("sess-bat1", i, "line\r\n"), output("sess-bat2", i, "other\r\n"))
	}
	before := txID(t, s)
	acked, err := s.AppendEvents(evs)
	if err != nil {
		t.Fatal(err)
	}
	if after := txID(t, s); after != before+1 {
		t.Fatalf("1000 events took %d write transactions, want 1", after-before)
	}
	if acked["sess-bat1"] != 500 || acked["sess-bat2"] != 500 {
		t.Fatalf("acked %v", acked)
	}
}

func TestAppendEventsUnknownSessionFailsWhole(t *testing.T) {
	s := openStore(t, t.TempDir())
	newSession(t, s, "sess-good")
	_, err := s.AppendEvents([]wire.Envelope{output("sess-good", 1, "a"), output("sess-nope", 1, "b")})
	if !errors.Is(err, ErrNotFound) {
		t.Fatalf("append to unknown session: %v, want ErrNotFound", err)
	}
	// Nothing of the failed batch is written: no partial writes.
	if got := readAll(t, s, "sess-good", 0); len(got) != 0 {
		t.Fatalf("failed batch left %d events", len(got))
	}
	if ss, _ := s.GetSession("sess-good"); ss.LastSeq != 0 || ss.OutputBytes != 0 {
		t.Fatalf("failed batch changed counters: %+v", ss)
	}
}

func TestSessionCounters(t *testing.T) {
	s := openStore(t, t.TempDir())
	newSession(t, s, "sess-cnt1")
	end := time.Date(2026, 1, 2, 4, 0, 0, 0, time.UTC)
	evs := []wire.Envelope{
		output("sess-cnt1", 1, "12345"),
		payload(t, wire.TypePtyResize, "sess-cnt1", 2, wire.Resize{Cols: 132, Rows: 43}),
		payload(t, wire.TypePtyDropped, "sess-cnt1", 7, wire.Dropped{Bytes: 1000, Frames: 3}),
		output("sess-cnt1", 8, "678"),
		payload(t, wire.TypeSessionEnd, "sess-cnt1", 9, wire.SessionEnd{ExitCode: 3, EndedAt: end}),
	}
	if _, err := s.AppendEvents(evs); err != nil {
		t.Fatal(err)
	}
	ss, err := s.GetSession("sess-cnt1")
	if err != nil {
		t.Fatal(err)
	}
	if ss.OutputBytes != 8 || ss.DroppedBytes != 1000 || ss.LastSeq != 9 {
		t.Errorf("output %d dropped %d last seq %d, want 8, 1000, 9", ss.OutputBytes, ss.DroppedBytes, ss.LastSeq)
	}
	if ss.Cols != 132 || ss.Rows != 43 {
		t.Errorf("size %dx%d, want 132x43", ss.Cols, ss.Rows)
	}
	if ss.Status != StatusEnded || ss.ExitCode == nil || *ss.ExitCode != 3 || !ss.EndedAt.Equal(end) {
		t.Errorf("end state: status %s exit %v ended %v", ss.Status, ss.ExitCode, ss.EndedAt)
	}
	if !ss.LastActivity.Equal(evs[4].TS) {
		t.Errorf("last activity %v, want %v", ss.LastActivity, evs[4].TS)
	}
	// An exit code of 0 is still recorded (not omitted as empty).
	newSession(t, s, "sess-cnt2")
	if _, err := s.AppendEvents([]wire.Envelope{payload(t, wire.TypeSessionEnd, "sess-cnt2", 1, wire.SessionEnd{ExitCode: 0, EndedAt: end})}); err != nil {
		t.Fatal(err)
	}
	reopened := func() Session { ss, _ := s.GetSession("sess-cnt2"); return ss }()
	if reopened.ExitCode == nil || *reopened.ExitCode != 0 || reopened.Status != StatusEnded {
		t.Errorf("exit 0 not recorded: %+v", reopened)
	}
	// An ended session stays ended: a late status change or upsert does not revive it.
	if err := s.SetSessionStatus("sess-cnt1", StatusOffline); err != nil {
		t.Fatal(err)
	}
	if _, err := s.UpsertSession(Session{ID: "sess-cnt1", Node: "box", Status: StatusLive, Cols: 80, Rows: 24}); err != nil {
		t.Fatal(err)
	}
	if ss, _ := s.GetSession("sess-cnt1"); ss.Status != StatusEnded {
		t.Errorf("ended session became %s", ss.Status)
	}
}

func TestRestartKeepsEverything(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	nodes := []Node{
		{Name: "alpha", Hostname: "alpha.lan", User: "ann", OS: "linux", Version: "v1", LastSeen: t0},
		{Name: "beta", Hostname: "beta.lan", User: "bob", OS: "darwin", Version: "v2", LastSeen: t0.Add(time.Hour)},
	}
	for _, n := range nodes {
		if err := s.PutNode(n); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 3 {
		id := fmt.Sprintf("sess-rst%d", i)
		newSession(t, s, id)
		var evs []wire.Envelope
		for q := uint64(1); q <= 20; q++ {
			evs = append(evs, output(id, q, fmt.Sprintf("%s line %d\r\n", id, q)))
		}
		if _, err := s.AppendEvents(evs); err != nil {
			t.Fatal(err)
		}
	}
	wantSessions, _ := s.Sessions()
	wantNodes, _ := s.Nodes()
	wantLogs := map[string][]wire.Envelope{}
	for _, ss := range wantSessions {
		wantLogs[ss.ID] = readAll(t, s, ss.ID, 0)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s2 := openStore(t, dir)
	gotSessions, _ := s2.Sessions()
	gotNodes, _ := s2.Nodes()
	if !reflect.DeepEqual(gotSessions, wantSessions) {
		t.Errorf("sessions changed across restart:\n got %+v\nwant %+v", gotSessions, wantSessions)
	}
	if !reflect.DeepEqual(gotNodes, wantNodes) || !reflect.DeepEqual(gotNodes, nodes) {
		t.Errorf("nodes changed across restart:\n got %+v\nwant %+v", gotNodes, nodes)
	}
	for id, want := range wantLogs {
		if got := readAll(t, s2, id, 0); !reflect.DeepEqual(got, want) {
			t.Errorf("log of %s changed across restart", id)
		}
	}
	if s2.Path() != filepath.Join(dir, "ct.db") || s2.Size() <= 0 {
		t.Errorf("path %s size %d", s2.Path(), s2.Size())
	}
}

func TestMarkAllOffline(t *testing.T) {
	s := openStore(t, t.TempDir())
	newSession(t, s, "sess-live")
	newSession(t, s, "sess-ended")
	if _, err := s.AppendEvents([]wire.Envelope{payload(t, wire.TypeSessionEnd, "sess-ended", 1, wire.SessionEnd{ExitCode: 1})}); err != nil {
		t.Fatal(err)
	}
	ss := newSession(t, s, "sess-off")
	if err := s.SetSessionStatus(ss.ID, StatusOffline); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkAllOffline(); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"sess-live": StatusOffline, "sess-ended": StatusEnded, "sess-off": StatusOffline}
	all, err := s.Sessions()
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 3 {
		t.Fatalf("%d sessions, want 3", len(all))
	}
	for _, ss := range all {
		if ss.Status != want[ss.ID] {
			t.Errorf("%s is %s, want %s", ss.ID, ss.Status, want[ss.ID])
		}
	}
}

func TestUpsertSessionKeepsHubFields(t *testing.T) {
	s := openStore(t, t.TempDir())
	newSession(t, s, "sess-upst")
	if _, err := s.AppendEvents([]wire.Envelope{
		output("sess-upst", 1, "hello"),
		payload(t, wire.TypePtyDropped, "sess-upst", 5, wire.Dropped{Bytes: 42, Frames: 1}),
	}); err != nil {
		t.Fatal(err)
	}
	if err := s.SetSessionStatus("sess-upst", StatusOffline); err != nil {
		t.Fatal(err)
	}
	// The wrap reconnects and sends its metadata again, knowing nothing of counters.
	later := t0.Add(time.Minute)
	got, err := s.UpsertSession(Session{ID: "sess-upst", Node: "box2", Command: "zsh", Cwd: "/home", Cols: 100, Rows: 30, Status: StatusLive, StartedAt: later})
	if err != nil {
		t.Fatal(err)
	}
	stored, _ := s.GetSession("sess-upst")
	if !reflect.DeepEqual(got, stored) {
		t.Errorf("UpsertSession returned %+v but stored %+v", got, stored)
	}
	if stored.LastSeq != 5 || stored.OutputBytes != 5 || stored.DroppedBytes != 42 || stored.LastActivity.IsZero() {
		t.Errorf("hub-owned fields lost: %+v", stored)
	}
	if stored.Node != "box2" || stored.Command != "zsh" || stored.Cwd != "/home" || stored.Cols != 100 || stored.Rows != 30 || stored.Status != StatusLive || !stored.StartedAt.Equal(later) {
		t.Errorf("wrap-owned fields not updated: %+v", stored)
	}
}

func TestNewerSchemaRefused(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.bolt.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketMeta).Put(keySchema, []byte(fmt.Sprint(SchemaVersion+1)))
	}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s2, err := Open(dir)
	if err == nil {
		s2.Close()
		t.Fatal("a store with a newer schema was opened")
	}
	if !strings.Contains(err.Error(), "upgrade") {
		t.Fatalf("error does not say to upgrade: %v", err)
	}
	// Refusing must release the file so a newer ct (or this test) can open it.
	b, err := bolt.Open(filepath.Join(dir, "ct.db"), 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		t.Fatalf("refused store still locked: %v", err)
	}
	b.Close()
}

func TestOpenWritesSchema(t *testing.T) {
	s := openStore(t, t.TempDir())
	var v string
	_ = s.bolt.View(func(tx *bolt.Tx) error { v = string(tx.Bucket(bucketMeta).Get(keySchema)); return nil })
	if v != fmt.Sprint(SchemaVersion) {
		t.Fatalf("schema %q, want %d", v, SchemaVersion)
	}
}

func TestSecondOpenTimesOut(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for the open timeout")
	}
	dir := t.TempDir()
	openStore(t, dir)
	_, err := Open(dir)
	if err == nil || !strings.Contains(err.Error(), "another ct serve") {
		t.Fatalf("second open: %v, want a message naming another ct serve", err)
	}
}

func TestReadLogNotFound(t *testing.T) {
	s := openStore(t, t.TempDir())
	err := s.ReadLog("sess-none", 0, func(wire.Envelope) error { return nil })
	if !errors.Is(err, ErrNotFound) {
		t.Fatalf("ReadLog on unknown session: %v, want ErrNotFound", err)
	}
	if _, err := s.GetSession("sess-none"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("GetSession on unknown session: %v", err)
	}
	if err := s.SetSessionStatus("sess-none", StatusOffline); !errors.Is(err, ErrNotFound) {
		t.Fatalf("SetSessionStatus on unknown session: %v", err)
	}
	// A known session with no events yet reads as empty, not as an error.
	newSession(t, s, "sess-empty")
	if got := readAll(t, s, "sess-empty", 0); len(got) != 0 {
		t.Fatalf("empty session read %d events", len(got))
	}
	// fn's error stops the walk and comes back.
	if _, err := s.AppendEvents([]wire.Envelope{output("sess-empty", 1, "a"), output("sess-empty", 2, "b")}); err != nil {
		t.Fatal(err)
	}
	stop := errors.New("stop")
	n := 0
	if err := s.ReadLog("sess-empty", 0, func(wire.Envelope) error { n++; return stop }); !errors.Is(err, stop) || n != 1 {
		t.Fatalf("ReadLog with failing fn: err %v after %d calls", err, n)
	}
}

func TestTailStart(t *testing.T) {
	s := openStore(t, t.TempDir())
	newSession(t, s, "sess-tail")
	if start, err := s.TailStart("sess-tail", 100); err != nil || start != 0 {
		t.Fatalf("empty log: start %d err %v", start, err)
	}
	var evs []wire.Envelope
	for q := uint64(1); q <= 10; q++ {
		evs = append(evs, output("sess-tail", q, strings.Repeat("x", 1000)))
	}
	if _, err := s.AppendEvents(evs); err != nil {
		t.Fatal(err)
	}
	// size[q] is the stored frame size of seq q; tail[q] the bytes of seqs q..10.
	size := map[uint64]int64{}
	for _, e := range evs {
		b, _ := wire.Marshal(e)
		size[e.Seq] = int64(len(b))
	}
	tail := func(from uint64) (n int64) {
		for q := from; q <= 10; q++ {
			n += size[q]
		}
		return n
	}
	cases := []struct {
		max  int64
		want uint64
	}{
		{max: tail(1), want: 0},     // everything fits: replay from the start
		{max: 1 << 30, want: 0},     // more than everything
		{max: tail(8), want: 7},     // exactly three frames: replay 8, 9, 10
		{max: tail(8) + 1, want: 7}, // a bit more than three is still three whole frames
		{max: tail(8) - 1, want: 8}, // a bit less than three: the last two
		{max: 0, want: 10},          // nothing: replay nothing
	}
	for _, c := range cases {
		start, err := s.TailStart("sess-tail", c.max)
		if err != nil {
			t.Fatal(err)
		}
		if start != c.want {
			t.Errorf("TailStart(%d) = %d, want %d", c.max, start, c.want)
		}
		// The tail read from start is never more than max bytes.
		var n int64
		for _, e := range readAll(t, s, "sess-tail", start) {
			b, _ := wire.Marshal(e)
			n += int64(len(b))
		}
		if n > c.max {
			t.Errorf("TailStart(%d): the tail after %d is %d bytes", c.max, start, n)
		}
	}
	if start, err := s.TailStart("sess-none", 100); err != nil || start != 0 {
		t.Errorf("unknown session: start %d err %v", start, err)
	}
}
