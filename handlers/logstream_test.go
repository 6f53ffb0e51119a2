package handlers

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ct-dev/ct/auth"
	"github.com/ct-dev/ct/wire"
)

// fillLog appends n output events of size bytes to session sid, from seq
// from+1, in batches of one store transaction each, and returns the last seq.
func fillLog(t *testing.T, f *authFixture, sid string, from uint64, n, size int, each func()) uint64 {
	t.Helper()
	data := []byte(strings.Repeat("x", size-2) + "\r\n")
	seq := from
	for done := 0; done < n; {
		var batch []wire.Envelope
		for ; done < n && len(batch) < 128; done++ {
			seq++
			batch = append(batch, wire.Envelope{V: wire.Version, Type: wire.TypePtyOutput, SessionID: sid, Seq: seq, TS: time.Now().UTC(), Data: data})
		}
		if _, err := f.store.AppendEvents(batch); err != nil {
			t.Fatal(err)
		}
		if each != nil {
			each()
		}
	}
	return seq
}

// A reader of GET /api/v1/sessions/{id}/log that reads a few bytes and
// stops must not stop the store: another session keeps committing enough
// output to grow the store file (bbolt cannot grow it while a read
// transaction is open), and every commit lands while the reader stalls.
func TestSlowLogReaderDoesNotBlockWrites(t *testing.T) {
	f := newAuthFixture(t, fixtureOpts{})
	token, _ := f.token("admin", auth.KindAPI, auth.RoleAdmin, "")
	f.session("sess-big-log", "box")
	f.session("sess-streaming", "box")
	// 24 MiB: far more than loopback socket buffers hold, so the handler
	// is stuck writing while the reader stalls.
	fillLog(t, f, "sess-big-log", 0, 12<<10, 2<<10, nil)

	conn, err := net.Dial("tcp", strings.TrimPrefix(f.ts.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "GET /api/v1/sessions/sess-big-log/log HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n\r\n", token)
	rd := bufio.NewReader(conn)
	resp, err := http.ReadResponse(rd, nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("log download answered %d", resp.StatusCode)
	}
	if _, err := io.ReadFull(resp.Body, make([]byte, 100)); err != nil {
		t.Fatal(err)
	}
	// The reader stalls here. Another session streams 32 MiB: the file
	// must grow (it holds ~24 MiB now).
	before := f.store.Space().File
	commits := make(chan struct{}, 1<<10)
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		fillLog(t, f, "sess-streaming", 0, 16<<10, 2<<10, func() { commits <- struct{}{} })
	}()
	deadline := time.After(20 * time.Second) // a failure bound, not a measurement
	for n := 0; ; {
		select {
		case <-commits:
			n++
			continue
		case <-finished:
		case <-deadline:
			t.Fatalf("store writes stopped behind a stalled log reader after %d of 128 commits", n)
		}
		break
	}
	if after := f.store.Space().File; after <= before {
		t.Fatalf("the store file did not grow (%d -> %d bytes): the test proves nothing", before, after)
	}
	conn.Close()
	// Chunked, the download is still every byte once, in order.
	req, _ := http.NewRequest("GET", f.ts.URL+"/api/v1/sessions/sess-streaming/log", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	full, err := f.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer full.Body.Close()
	body, err := io.ReadAll(full.Body)
	if want := strings.Repeat(strings.Repeat("x", 2<<10-2)+"\r\n", 16<<10); err != nil || full.StatusCode != 200 || string(body) != want {
		t.Fatalf("log download: status %d, %d bytes, want %d (%v)", full.StatusCode, len(body), len(want), err)
	}
}
