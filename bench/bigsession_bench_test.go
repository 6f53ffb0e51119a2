package bench

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ct-dev/ct/db"
	"github.com/ct-dev/ct/wire"
)

var (
	flagBigMiB    = flag.Int("big-mib", 1024, "BenchmarkBigSessionViewer: MiB of stored output in the big session (issue 17 goal 5: 1 GiB)")
	flagBigRounds = flag.Int("big-rounds", 10, "BenchmarkBigSessionViewer: reconnects measured per session and hub start")
	flagBigStarts = flag.Int("big-starts", 4, "BenchmarkBigSessionViewer: hub starts (each gives one first viewer per session)")
)

// bigFrame is the stored frame size: a flood's output arrives in frames
// of this order (the wrap coalesces reads).
const bigFrame = 16 << 10

// BenchmarkBigSessionViewer: a session with -big-mib MiB of stored output
// (written straight into a store in a temp dir, then served by a real
// ct serve), against a 1 MiB session in the same store as the baseline.
// -big-starts times, per session: the first viewer after the hub starts (its screen rebuilt
// from the log's tail), then -big-rounds reconnects with Last-Event-ID as a
// browser's EventSource makes them; each timed from the request to the
// first screen event that shows the log's last line.
//
// The store is built once per call, so run it with -benchtime 1x:
//
//	go test ./bench -run '^$' -bench BigSessionViewer -benchtime 1x -big-mib 1024
func BenchmarkBigSessionViewer(b *testing.B) {
	dir := b.TempDir()
	lines := benchLines(b)
	built := time.Now()
	fillSession(b, dir, "sess-big", int64(*flagBigMiB)<<20, lines)
	fillSession(b, dir, "sess-small", 1<<20, lines)
	b.Logf("store: %d MiB + 1 MiB of output written in %s", *flagBigMiB, time.Since(built).Round(time.Millisecond))
	bin := ctBinary(b)
	var cold = map[string][]float64{}
	var warm = map[string][]float64{}
	var starts, emptyStarts []float64 // ct serve start → /healthz answered and a token minted
	for i := range *flagBigStarts {
		t0 := time.Now()
		h, err := StartHub(bin, dir)
		if err != nil {
			b.Fatal(err)
		}
		starts = append(starts, float64(time.Since(t0).Microseconds())/1000)
		t0 = time.Now()
		_, stopEmpty, err := TempHub(bin) // the baseline: the same start on an empty store
		if err != nil {
			b.Fatal(err)
		}
		emptyStarts = append(emptyStarts, float64(time.Since(t0).Microseconds())/1000)
		stopEmpty()
		order := []string{"sess-big", "sess-small"}
		if i%2 == 1 { // the first request after a start pays the hub's warm-up: alternate who gets it
			order[0], order[1] = order[1], order[0]
		}
		for _, id := range order {
			ms, last := firstScreen(b, h, id, "")
			cold[id] = append(cold[id], ms)
			for range *flagBigRounds {
				ms, last = firstScreen(b, h, id, last)
				warm[id] = append(warm[id], ms)
			}
		}
		h.Kill()
		<-h.Done()
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "first screen event with the log's last line, ms (load average %s)\n", LoadAvg())
	fmt.Fprintf(&sb, "    %-40s %8s %8s %8s\n", "", "p50", "p90", "max")
	for _, row := range []struct {
		name string
		xs   []float64
	}{
		{fmt.Sprintf("%d MiB session, first viewer (cold)", *flagBigMiB), cold["sess-big"]},
		{"1 MiB session, first viewer (cold)", cold["sess-small"]},
		{fmt.Sprintf("%d MiB session, reconnect", *flagBigMiB), warm["sess-big"]},
		{"1 MiB session, reconnect", warm["sess-small"]},
		{"hub start → ready (this store)", starts},
		{"hub start → ready (empty store)", emptyStarts},
	} {
		fmt.Fprintf(&sb, "    %-40s %8.2f %8.2f %8.2f\n", row.name, Percentile(row.xs, 50), Percentile(row.xs, 90), Percentile(row.xs, 100))
	}
	b.Log(sb.String())
	b.ReportMetric(Percentile(cold["sess-big"], 50), "cold-big-p50-ms")
	b.ReportMetric(Percentile(warm["sess-big"], 50), "reconnect-big-p50-ms")
	b.ReportMetric(Percentile(warm["sess-small"], 50), "reconnect-small-p50-ms")
}

// benchLines is realistic terminal output (the benchmark file's coloured
// lines), with the PTY's \r\n.
func benchLines(b *testing.B) []byte {
	b.Helper()
	path := filepath.Join(b.TempDir(), "lines.txt")
	if _, err := WriteDataFile(path, 4<<20, 7); err != nil {
		b.Fatal(err)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	return bytes.ReplaceAll(raw, []byte("\n"), []byte("\r\n"))
}

// fillSession stores size bytes of output for session id in bigFrame
// frames cycled from lines, ending with the line "END <id>".
func fillSession(b *testing.B, dir, id string, size int64, lines []byte) {
	b.Helper()
	s, err := db.Open(dir)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	if _, err := s.UpsertSession(db.Session{ID: id, Command: "bash", Status: db.StatusLive, Cols: 80, Rows: 24}); err != nil {
		b.Fatal(err)
	}
	seq, off := uint64(0), 0
	for done := int64(0); done < size; {
		var batch []wire.Envelope
		for n := 0; n < 256 && done < size; n++ { // 4 MiB a transaction
			if off+bigFrame > len(lines) {
				off = 0
			}
			seq++
			batch = append(batch, wire.Envelope{V: wire.Version, Type: wire.TypePtyOutput, SessionID: id, Seq: seq, Data: lines[off : off+bigFrame]})
			off += bigFrame
			done += bigFrame
		}
		if _, err := s.AppendEvents(batch); err != nil {
			b.Fatal(err)
		}
	}
	end := wire.Envelope{V: wire.Version, Type: wire.TypePtyOutput, SessionID: id, Seq: seq + 1, Data: []byte("\r\nEND " + id + "\r\n")}
	if _, err := s.AppendEvents([]wire.Envelope{end}); err != nil {
		b.Fatal(err)
	}
}

// firstScreen opens the session page's stream (with Last-Event-ID when
// lastID is set) and returns the milliseconds until a screen event shows
// "END <id>", and the id of the last event read.
func firstScreen(b *testing.B, h *HubProc, id, lastID string) (float64, string) {
	b.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second) // a 1 GiB replay on a loaded box, bounded
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, h.URL+"/events/s/"+id+"?v=benchbig", nil)
	if err != nil {
		b.Fatal(err)
	}
	req.Header.Set("Accept", "text/event-stream")
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	start := time.Now()
	resp, err := h.Client().Do(req)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b.Fatalf("GET /events/s/%s: %s", id, resp.Status)
	}
	mark := []byte("END " + id)
	var at time.Time
	last := lastID
	_ = ReadEvents(resp.Body, func(ev Event) bool {
		if ev.ID != "" {
			last = ev.ID
		}
		if ev.Name == "screen" && bytes.Contains(ev.Data, mark) {
			at = ev.At
			return false
		}
		return true
	})
	if at.IsZero() {
		b.Fatalf("session %s: no screen event showing %q within 60 s\n%s", id, mark, h.Stderr())
	}
	return float64(at.Sub(start).Microseconds()) / 1000, last
}
